// The HTTP JSON API (docs/PROTOCOL.md §9), for every page. The session
// token lives in this object only: never in storage, cookies or URLs.
// Errors come back as ApiError with the server's code (and Retry-After, when
// the server sent one), or the code "unreachable" (status 0) when the server
// could not be reached at all.
import type { Alternative } from './protocol';

export type { Alternative } from './protocol';

export interface PublicConfig {
  signposting: Alternative[];
  topics: string[];
  offer_timeout_ms: number;
  demo: boolean;
  resume_grace_s: number;
}

export interface LoginResult {
  token: string;
  role: 'gp' | 'listener' | 'admin';
  expires_in_s: number;
  /** Staff sign-ins: this browser's device token (send it at the next sign-in). */
  device_token?: string;
}

export interface CertificateState {
  state: 'none' | 'pending' | 'certified';
  certificate?: string;
  enrolment_request?: string;
  serial?: string;
  not_after_ms?: number;
}

/** GET /api/revocation-list: the organisation's trust state, each base64url. */
export interface TrustStateText {
  revocation_list: string;
  revocation_delegation: string;
  directory: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Plain-language text for an API failure, for the page's error area. */
export function describeApiError(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'unreachable':
        return 'Peerline cannot be reached. Check your connection and try again.';
      case 'invalid_token':
        return 'Your session has expired. Please start again.';
      case 'invalid_credentials':
        return 'That username and password do not match.';
      case 'rate_limited':
        return 'Too many attempts. Please wait a little and try again.';
      case 'service_unavailable':
        return 'Peerline is temporarily unavailable. Nothing was changed; please try again shortly.';
      default:
        return e.message || `The server refused the request (${e.code}).`;
    }
  }
  return 'Something went wrong. Please try again.';
}

export class Api {
  private token: string | null = null;
  /**
   * When set, called once when the server refuses the token (401 to a
   * request that carried one); the token is forgotten first. The dashboard
   * sets it; the GP and listener pages handle `invalid_token` themselves.
   */
  onSessionExpired: (() => void) | null = null;

  constructor(private readonly base = '') {}

  setToken(token: string | null): void {
    this.token = token;
  }

  get hasToken(): boolean {
    return this.token !== null;
  }

  /** The token, for the WebSocket hello only. */
  currentToken(): string | null {
    return this.token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const sent = this.token;
    if (sent) headers.Authorization = `Bearer ${sent}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'The server could not be reached.');
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!res.ok) {
      const retry = Number(res.headers.get('Retry-After'));
      const err = errorBody(json);
      const e = new ApiError(res.status, err.code ?? `http_${res.status}`, err.message ?? res.statusText,
        Number.isFinite(retry) && retry > 0 ? retry : undefined);
      if (res.status === 401 && sent && this.onSessionExpired) {
        this.token = null;
        this.onSessionExpired();
      }
      throw e;
    }
    return json as T;
  }

  // The dashboard's requests: each needs a token (refused here without one).
  get<T>(path: string): Promise<T> {
    return this.authorised<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.authorised<T>('POST', path, body);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.authorised<T>('PUT', path, body);
  }
  del<T>(path: string): Promise<T> {
    return this.authorised<T>('DELETE', path);
  }

  private authorised<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.token) return Promise.reject(new ApiError(401, 'invalid_token', 'Not signed in.'));
    return this.request<T>(method, path, body);
  }

  config(): Promise<PublicConfig> {
    return this.request('GET', '/api/config');
  }

  async gpSession(): Promise<LoginResult> {
    const r = await this.request<LoginResult>('POST', '/api/gp/session');
    this.token = r.token;
    return r;
  }

  /**
   * Signs in; with `newPassword`, replaces the password too (required after a one-time password).
   * `deviceToken`: the one an earlier sign-in to this account gave this browser, which exempts it
   * from the delays others' failed guesses cause (docs/PROTOCOL.md, `POST /api/login`).
   */
  async login(username: string, password: string, newPassword?: string, deviceToken?: string): Promise<LoginResult> {
    const body: Record<string, string> = { username, password };
    if (newPassword !== undefined) body.new_password = newPassword;
    if (deviceToken !== undefined) body.device_token = deviceToken;
    const r = await this.request<LoginResult>('POST', '/api/login', body);
    this.token = r.token;
    return r;
  }

  /** Revokes the token on the server (best effort) and forgets it here. */
  async logout(): Promise<void> {
    const had = this.token;
    if (had) {
      try {
        await this.request('POST', '/api/logout');
      } catch {
        /* the token is forgotten anyway */
      }
    }
    this.token = null;
  }

  /** Fire-and-forget logout that survives the page being replaced (quick exit). */
  logoutBeacon(): void {
    const t = this.token;
    this.token = null;
    if (!t) return;
    try {
      void fetch(this.base + '/api/logout', {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}` },
        keepalive: true,
        credentials: 'omit',
      }).catch(() => undefined);
    } catch {
      /* nothing to do */
    }
  }

  /** The trust state (delegation, latest list, directory), or null when no list is published. */
  async revocationList(): Promise<TrustStateText | null> {
    try {
      return await this.request<TrustStateText>('GET', '/api/revocation-list');
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  feedback(helped: string, stayInPractice: string): Promise<void> {
    return this.request('POST', '/api/feedback', { helped, stay_in_practice: stayInPractice });
  }

  certificate(): Promise<CertificateState> {
    return this.request('GET', '/api/listener/certificate');
  }

  enrol(request: string): Promise<CertificateState> {
    return this.request('PUT', '/api/listener/enrolment', { enrolment_request: request });
  }

  rota(): Promise<unknown> {
    return this.request('GET', '/api/rota');
  }

  me(): Promise<{ role: string; username?: string }> {
    return this.request('GET', '/api/me');
  }
}

/** The `{"error":{"code","message"}}` of a refusal, as far as it is there. */
function errorBody(json: unknown): { code?: string; message?: string } {
  if (typeof json !== 'object' || json === null || !('error' in json)) return {};
  const e: unknown = json.error;
  if (typeof e !== 'object' || e === null) return {};
  return {
    code: 'code' in e && typeof e.code === 'string' ? e.code : undefined,
    message: 'message' in e && typeof e.message === 'string' ? e.message : undefined,
  };
}

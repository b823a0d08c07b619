// The HTTP API, as an administrator. The session token lives only in this
// object (memory): never in localStorage, sessionStorage, cookies or URLs.

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

/** A message for people, from any failure of a request. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'The Peerline server cannot be reached. Check your connection; nothing was changed.';
    if (err.status === 503) {
      const wait = err.retryAfterS ? ` Try again in about ${err.retryAfterS} s.` : ' Try again shortly.';
      return `The service's data store (Redis) is unavailable, so nothing was changed.${wait}`;
    }
    if (err.status === 401) return 'Your session has expired. Please sign in again.';
    if (err.status === 403) return 'Only an administrator may do this.';
    if (err.status === 429) {
      const wait = err.retryAfterS ? ` Wait ${err.retryAfterS} s and try again.` : ' Wait a little and try again.';
      return `Too many attempts.${wait}`;
    }
    if (err.status === 404 && err.code === 'not_found') return err.message || 'Not found.';
    return err.message || `The server refused the request (${err.code}).`;
  }
  return err instanceof Error ? err.message : String(err);
}

export interface LoginResult {
  token: string;
  role: string;
  expires_in_s: number;
}

export class Api {
  private token: string | null = null;
  /** Called once when the server says the token is no longer valid. */
  onSessionExpired: () => void = () => {};

  get signedIn(): boolean {
    return this.token !== null;
  }

  currentToken(): string | null {
    return this.token;
  }

  forget(): void {
    this.token = null;
  }

  /** Signs in; with `newPassword`, replaces the password too (required after a one-time password). */
  async login(username: string, password: string, newPassword?: string): Promise<LoginResult> {
    const payload: Record<string, string> = { username, password };
    if (newPassword !== undefined) payload.new_password = newPassword;
    const res = await this.raw('POST', '/api/login', payload, false);
    const body = res as LoginResult;
    this.token = body.token;
    return body;
  }

  async logout(): Promise<void> {
    if (!this.token) return;
    try {
      await this.raw('POST', '/api/logout', undefined, true);
    } finally {
      this.token = null;
    }
  }

  get<T>(path: string): Promise<T> {
    return this.raw('GET', path, undefined, true) as Promise<T>;
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.raw('POST', path, body, true) as Promise<T>;
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.raw('PUT', path, body, true) as Promise<T>;
  }
  del<T>(path: string): Promise<T> {
    return this.raw('DELETE', path, undefined, true) as Promise<T>;
  }

  private async raw(method: string, path: string, body: unknown, auth: boolean): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) {
      if (!this.token) throw new ApiError(401, 'invalid_token', 'Not signed in.');
      headers.Authorization = `Bearer ${this.token}`;
    }
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'The Peerline server cannot be reached.');
    }
    const retry = Number(res.headers.get('Retry-After'));
    const retryAfterS = Number.isFinite(retry) && retry > 0 ? retry : undefined;
    if (res.status === 204) return undefined;
    let parsed: unknown = undefined;
    const text = await res.text().catch(() => '');
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText, retryAfterS);
      if (auth && res.status === 401 && this.token) {
        this.token = null;
        this.onSessionExpired();
      }
      throw err;
    }
    return parsed;
  }
}

// The MLS Authentication Service of a Peerline group, as every member's
// client runs it: ts-mls asks it about every credential that enters the
// tree (key packages of added members, the tree in a Welcome, leaves in
// commit paths and updates). Member credentials need only be well formed;
// a facilitator credential must pass verifyFacilitatorCredential for this
// group at the clock's time. The first failure is kept, so the refusal the
// room sees says why (ts-mls itself only reports "could not validate").
import type { AuthenticationService, Credential } from 'ts-mls';
import { decodeGroupCredential, verifyFacilitatorCredential } from './credential.js';
import type { Clock, GroupTrust } from './credential.js';
import { GroupError } from './errors.js';

export interface CredentialCheck {
  service: AuthenticationService;
  /** The first refusal since the last takeFailure(), then forgets it. */
  takeFailure(): GroupError | undefined;
}

export function makeCredentialCheck(groupId: Uint8Array, trust: GroupTrust, clock: Clock): CredentialCheck {
  let failure: GroupError | undefined;
  const service: AuthenticationService = {
    async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
      try {
        const c = decodeGroupCredential(credential);
        if (c.kind === 'facilitator') verifyFacilitatorCredential(credential, signaturePublicKey, groupId, trust, clock());
        return true;
      } catch (e) {
        if (!(e instanceof GroupError)) throw e;
        failure ??= e;
        return false;
      }
    },
  };
  return {
    service,
    takeFailure() {
      const f = failure;
      failure = undefined;
      return f;
    },
  };
}

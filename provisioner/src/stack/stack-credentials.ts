import { generateGatewayKey, hashGatewayKey } from "./gateway-key";
import type { RoleSecrets } from "./machine-spec";
import { decryptSecret, encryptSecret, generateSecret } from "./secrets";
import type { StackDeps } from "./stack-deps";
import { unregistered } from "./stack-failure";
import type { StackRecord } from "./stack-record";
import type { StackState } from "./stack-state";

type CredentialDeps = Pick<StackDeps, "secretsKey" | "userId" | "gatewayKeys">;

/**
 * Makes sure the gateway knows the credential the machines hold before any of them starts, on every bring-up:
 * a destroy that revoked it and then failed at Fly leaves the machines (and the sealed credential) behind, and
 * without this they would come up again holding a credential the gateway refuses. A new credential is
 * registered as it is made; a kept one is registered again (an idempotent upsert of the same hash).
 */
export async function registerGatewayKey(deps: CredentialDeps, state: StackState): Promise<void> {
  const kept = (await state.load()).secrets?.gatewayKey !== undefined;
  const { gatewayKey } = await stackSecrets(deps, state);
  if (kept) await deps.gatewayKeys.register(await hashGatewayKey(gatewayKey)).catch(unregistered);
}

/**
 * The stack's secrets, made on first use. A new stack (first create, or after destroy) gets a new gateway
 * credential, so recreating a stack rotates it; it is registered with the gateway before it is sealed here,
 * so no machine ever gets a credential the gateway does not know. Records from before the gateway get one too.
 */
export async function stackSecrets(deps: CredentialDeps, state: StackState): Promise<RoleSecrets> {
  const { secretsKey, userId } = deps;
  const record = await state.load();
  const kept = record.secrets;
  // Records from before the gateway have no gatewayKey; from before 2026-12-05 no giteaAdminPassword.
  if (!kept?.gatewayKey || !kept.giteaAdminPassword) {
    const fresh = () => encryptSecret(secretsKey, userId, generateSecret());
    let gatewayKey = kept?.gatewayKey;
    if (!gatewayKey) {
      const plain = generateGatewayKey();
      await deps.gatewayKeys.register(await hashGatewayKey(plain)).catch(unregistered);
      gatewayKey = await encryptSecret(secretsKey, userId, plain);
    }
    const sealed = {
      opencodePassword: kept?.opencodePassword ?? (await fresh()),
      giteaAdminPassword: kept?.giteaAdminPassword ?? kept?.giteaAdminToken ?? (await fresh()),
      gatewayKey,
    };
    await state.save({ ...(await state.load()), secrets: sealed }, { mirror: false });
    return stackSecrets(deps, state);
  }
  return {
    opencodePassword: await decryptSecret(secretsKey, userId, kept.opencodePassword),
    giteaAdminPassword: await decryptSecret(secretsKey, userId, kept.giteaAdminPassword),
    gatewayKey: await decryptSecret(secretsKey, userId, kept.gatewayKey),
  };
}

/** What an internal caller authenticates to the machines with; read only (a bring-up makes the secrets). */
export async function connectionSecrets(
  deps: Pick<StackDeps, "secretsKey" | "userId">,
  sealed: NonNullable<StackRecord["secrets"]>,
): Promise<{ opencodePassword: string; giteaAdminPassword?: string }> {
  const { secretsKey, userId } = deps;
  return {
    opencodePassword: await decryptSecret(secretsKey, userId, sealed.opencodePassword),
    ...((sealed.giteaAdminPassword ?? sealed.giteaAdminToken)
      ? {
          giteaAdminPassword: await decryptSecret(
            secretsKey,
            userId,
            sealed.giteaAdminPassword ?? sealed.giteaAdminToken ?? "",
          ),
        }
      : {}),
  };
}

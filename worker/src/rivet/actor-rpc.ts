/** Header the manager sets on every request it forwards to an actor's object: which actor id it resolved. */
export const ACTOR_ID_HEADER = "x-growqr-actor-id";

export interface CreateActorRequest {
  name: string;
  key: string[];
  scope: string;
  input?: unknown;
  allowExisting: boolean;
}

/** What the manager learns about an actor (a plain subset of RivetKit's ActorOutput, so it crosses RPC). */
export interface ActorSummary {
  actorId: string;
  name: string;
  key: string[];
}

export type CreateActorResult = { actor: ActorSummary; created: boolean } | { duplicate: true };

/** The RPC surface of an actor's Durable Object, as the manager driver calls it. */
export interface ActorDurableObjectRpc extends Rpc.DurableObjectBranded {
  create(request: CreateActorRequest): Promise<CreateActorResult>;
  /** The live actor here, or null when there is none (never created, destroyed, being destroyed). */
  describe(): Promise<ActorSummary | null>;
  managerKvGet(actorId: string, key: Uint8Array): Promise<Uint8Array | null>;
  fetch(request: Request): Promise<Response>;
}

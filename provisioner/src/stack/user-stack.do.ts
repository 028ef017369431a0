import { DurableObject } from "cloudflare:workers";
import { createLogger } from "../../../platform/logger";
import type { Env } from "../env";
import { createFlyClient } from "../fly/fly-client";
import { postgresGatewayKeys } from "./gateway-key-store";
import { mirrorStack } from "./mirror";
import { importSecretsKey } from "./secrets";
import { StackController } from "./stack-controller";
import type { EnsureOptions, StackConnection, StackView } from "./stack-record";
import { stackSettings } from "./stack-settings";

/**
 * One per user (named by the user id): serialises every change to that user's stack. The logic lives in
 * StackController; this class wires it to Durable Object storage, alarms, Fly and Postgres.
 */
export class UserStack extends DurableObject<Env> {
  private controller: Promise<StackController> | undefined;

  private controllerFor(userId: string): Promise<StackController> {
    this.controller ??= this.build(userId).catch((error: unknown) => {
      this.controller = undefined;
      throw error;
    });
    return this.controller;
  }

  private async build(userId: string): Promise<StackController> {
    // The object is named by the user id; a call naming another user is a bug upstream, never served.
    const owner = await this.ctx.storage.get<string>("userId");
    if (owner && owner !== userId) throw new Error("user stack called for another user");
    if (!owner) await this.ctx.storage.put("userId", userId);
    const settings = stackSettings(this.env);
    const log = createLogger({ service: "provisioner", component: "UserStack", userId });
    const storage = this.ctx.storage;
    return new StackController({
      userId,
      storage: {
        get: (key) => storage.get(key),
        put: (key, value) => storage.put(key, value),
        // deleteAll also clears the owner; keep it, so a destroyed stack's object still belongs to its user.
        deleteAll: async () => {
          await storage.delete(["record", "events"]);
        },
      },
      fly: createFlyClient({ baseUrl: settings.flyApiUrl, token: this.env.FLY_API_TOKEN }),
      runtime: settings.runtime,
      lifecycle: settings.lifecycle,
      edgeUrl: settings.edgeUrl,
      secretsKey: await importSecretsKey(this.env.STACK_SECRETS_KEY),
      gatewayKeys: postgresGatewayKeys(this.env, userId, settings.runtime.app),
      mirror: (record) => mirrorStack(this.env, record, settings.edgeUrl),
      setAlarm: async (at) => {
        if (at === undefined) await storage.deleteAlarm();
        else await storage.setAlarm(at);
      },
      healthTimeoutMs: settings.healthTimeoutMs,
      log,
    });
  }

  async ensure(userId: string, options: EnsureOptions = {}): Promise<StackView> {
    return (await this.controllerFor(userId)).ensure(options);
  }

  async status(userId: string, after = 0): Promise<StackView> {
    return (await this.controllerFor(userId)).view(after);
  }

  async suspend(userId: string): Promise<StackView> {
    return (await this.controllerFor(userId)).suspend();
  }

  async destroy(userId: string): Promise<StackView> {
    return (await this.controllerFor(userId)).destroy();
  }

  async connection(userId: string): Promise<StackConnection> {
    return (await this.controllerFor(userId)).connection();
  }

  /** A plain round trip, for the benchmark's baseline ("warm ensureStack vs a plain DO RPC"). */
  ping(): string {
    return "pong";
  }

  override async alarm(): Promise<void> {
    const userId = await this.ctx.storage.get<string>("userId");
    if (userId) await (await this.controllerFor(userId)).alarm();
  }
}

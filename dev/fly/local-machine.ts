import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { freePort } from "../ports";
import { type ManagedProcess, startProcess } from "../processes";
import { atLowestPriority, lowerSessionPriority } from "./guest-priority";
import type { ImageRunner } from "./images";

export type MachineState =
  | "created"
  | "starting"
  | "started"
  | "stopping"
  | "stopped"
  | "suspending"
  | "suspended"
  | "destroying"
  | "destroyed"
  | "failed";

/**
 * One Fly machine as a real local process. Start spawns it (or resumes it with SIGCONT after a suspend), stop
 * ends it, suspend freezes it with SIGSTOP (memory kept, like Fly's snapshot), destroy ends it for good. It runs
 * at the lowest CPU priority, as if on hardware of its own (see guest-priority.ts).
 */
export class LocalMachine extends EventEmitter {
  state: MachineState = "created";
  instanceId = crypto.randomUUID().replaceAll("-", "").slice(0, 26).toUpperCase();
  port: number | undefined;
  private process: ManagedProcess | undefined;
  /** Serialises transitions: Fly answers a start while stopping only after the stop completes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    /** Resolved at each start, so a fault (or a fix) applies from the next boot, as with a new image. */
    private readonly image: () => ImageRunner,
    private readonly options: {
      env: Record<string, string>;
      mounts: Record<string, string>;
      machineDir: string;
      log: (line: string) => void;
    },
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  private setState(state: MachineState) {
    this.state = state;
    this.emit("state", state);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.state === "started" || this.state === "destroyed") return;
      if (this.state === "suspended" && this.process) {
        this.setState("starting");
        this.signal("SIGCONT");
        this.setState("started");
        return;
      }
      this.setState("starting");
      try {
        this.port = await freePort();
        await mkdir(this.options.machineDir, { recursive: true });
        const command = await this.image()({
          port: this.port,
          env: this.options.env,
          mounts: this.options.mounts,
          machineDir: this.options.machineDir,
        });
        const lowest = atLowestPriority(command.command, command.args);
        const child = startProcess(this.id, lowest.command, lowest.args, {
          cwd: command.cwd ?? this.options.machineDir,
          // Only what a machine would see: its own config env, not the developer's shell.
          env: { PATH: process.env.PATH ?? "", ...this.options.env, ...command.env, PORT: String(this.port) },
          log: this.options.log,
        });
        this.process = child;
        if (child.child.pid !== undefined) await lowerSessionPriority(child.child.pid, this.options.log);
        child.exited.then((code) => {
          if (this.process !== child) return;
          this.process = undefined;
          if (this.state === "started" || this.state === "starting") {
            this.options.log(`exited with code ${code}`);
            this.setState("stopped");
          }
        });
        this.setState("started");
      } catch (error) {
        this.options.log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
        this.setState("failed");
      }
    });
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.process) {
        if (this.state !== "destroyed" && this.state !== "created") this.setState("stopped");
        return;
      }
      this.setState("stopping");
      await this.end();
      this.instanceId = crypto.randomUUID().replaceAll("-", "").slice(0, 26).toUpperCase();
      this.setState("stopped");
    });
  }

  suspend(): Promise<void> {
    return this.enqueue(async () => {
      if (this.state !== "started" || !this.process) return;
      this.setState("suspending");
      this.signal("SIGSTOP");
      this.setState("suspended");
    });
  }

  destroy(): Promise<void> {
    return this.enqueue(async () => {
      if (this.state === "destroyed") return;
      this.setState("destroying");
      await this.end();
      this.setState("destroyed");
    });
  }

  private async end() {
    const child = this.process;
    this.process = undefined;
    if (!child) return;
    // A frozen process ignores SIGTERM until it is thawed.
    this.signalChild(child, "SIGCONT");
    await child.stop();
  }

  private signal(signal: NodeJS.Signals) {
    if (this.process) this.signalChild(this.process, signal);
  }

  private signalChild(child: ManagedProcess, signal: NodeJS.Signals) {
    if (child.child.pid === undefined) return;
    try {
      process.kill(-child.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Resolves when the machine is in `state`, false after `timeoutMs`. */
  waitFor(state: MachineState, timeoutMs: number): Promise<boolean> {
    if (this.state === state) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onState = (next: MachineState) => {
        if (next !== state) return;
        clearTimeout(timer);
        this.off("state", onState);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.off("state", onState);
        resolve(false);
      }, timeoutMs);
      this.on("state", onState);
    });
  }
}

export const machineDir = (stateDir: string, id: string) => path.join(stateDir, "machines", id);

import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";

/** Users, tokens and repository metadata of the dev Gitea. Git data lives in bare repositories beside it. */

export interface UserRecord {
  id: number;
  login: string;
  email: string;
  fullName: string;
  salt: string;
  passwordHash: string;
  isAdmin: boolean;
  mustChangePassword: boolean;
  visibility: "public" | "limited" | "private";
  created: string;
}

export interface TokenRecord {
  id: number;
  uid: number;
  name: string;
  scopes: string[];
  /** sha256 of the token: like Gitea, the token itself is shown once and never stored. */
  hash: string;
  lastEight: string;
  created: string;
}

export interface RepoRecord {
  id: number;
  ownerId: number;
  name: string;
  description: string;
  private: boolean;
  defaultBranch: string;
  created: string;
  updated: string;
}

interface State {
  nextId: number;
  users: UserRecord[];
  tokens: TokenRecord[];
  repos: RepoRecord[];
}

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

// A dev stand-in: a modest PBKDF2 keeps tests fast while never keeping passwords in clear text.
const hashPassword = (password: string, salt: string) =>
  pbkdf2Sync(password, salt, 1_000, 32, "sha256").toString("hex");

export class GiteaStore {
  private state: State;

  /** `file` persists the state as JSON (for `npm run dev`); without it everything lives in memory. */
  constructor(private readonly file?: string) {
    this.state =
      file && existsSync(file)
        ? (JSON.parse(readFileSync(file, "utf8")) as State)
        : { nextId: 1, users: [], tokens: [], repos: [] };
  }

  private writing: Promise<void> = Promise.resolve();

  /** Atomic rewrite (temp file + rename), one at a time. */
  save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const snapshot = JSON.stringify(this.state, null, 2);
    this.writing = this.writing.then(async () => {
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, snapshot, { mode: 0o600 });
      await rename(temp, file);
    });
    return this.writing;
  }

  private id(): number {
    return this.state.nextId++;
  }

  userByLogin(login: string): UserRecord | undefined {
    const lower = login.toLowerCase();
    return this.state.users.find((user) => user.login.toLowerCase() === lower);
  }

  userById(id: number): UserRecord | undefined {
    return this.state.users.find((user) => user.id === id);
  }

  userByEmail(email: string): UserRecord | undefined {
    const lower = email.toLowerCase();
    return this.state.users.find((user) => user.email.toLowerCase() === lower);
  }

  createUser(input: {
    login: string;
    email: string;
    fullName?: string;
    password: string;
    isAdmin?: boolean;
    mustChangePassword?: boolean;
    visibility?: UserRecord["visibility"];
  }): UserRecord {
    const salt = randomBytes(16).toString("hex");
    const user: UserRecord = {
      id: this.id(),
      login: input.login,
      email: input.email,
      fullName: input.fullName ?? "",
      salt,
      passwordHash: hashPassword(input.password, salt),
      isAdmin: input.isAdmin ?? false,
      mustChangePassword: input.mustChangePassword ?? true,
      visibility: input.visibility ?? "public",
      created: new Date().toISOString(),
    };
    this.state.users.push(user);
    return user;
  }

  setPassword(user: UserRecord, password: string): void {
    user.salt = randomBytes(16).toString("hex");
    user.passwordHash = hashPassword(password, user.salt);
  }

  checkPassword(user: UserRecord, password: string): boolean {
    const expected = Buffer.from(user.passwordHash, "hex");
    const actual = Buffer.from(hashPassword(password, user.salt), "hex");
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  tokenBySecret(token: string): TokenRecord | undefined {
    const hash = hashToken(token);
    return this.state.tokens.find((record) => record.hash === hash);
  }

  tokensOf(uid: number): TokenRecord[] {
    return this.state.tokens.filter((token) => token.uid === uid);
  }

  /** Returns the record and the token itself (40 hex characters, like Gitea's). */
  createToken(
    uid: number,
    name: string,
    scopes: string[],
    secret?: string,
  ): { record: TokenRecord; token: string } {
    const token = secret ?? randomBytes(20).toString("hex");
    const record: TokenRecord = {
      id: this.id(),
      uid,
      name,
      scopes,
      hash: hashToken(token),
      lastEight: token.slice(-8),
      created: new Date().toISOString(),
    };
    this.state.tokens.push(record);
    return { record, token };
  }

  deleteToken(id: number): void {
    this.state.tokens = this.state.tokens.filter((token) => token.id !== id);
  }

  repo(ownerId: number, name: string): RepoRecord | undefined {
    const lower = name.toLowerCase();
    return this.state.repos.find((repo) => repo.ownerId === ownerId && repo.name.toLowerCase() === lower);
  }

  createRepo(input: Omit<RepoRecord, "id" | "created" | "updated">): RepoRecord {
    const now = new Date().toISOString();
    const repo: RepoRecord = { ...input, id: this.id(), created: now, updated: now };
    this.state.repos.push(repo);
    return repo;
  }
}

import type { HealthTarget } from "./health";
import { type RoleResources, STACK_ROLES, type StackRecord, type StackRole } from "./stack-record";

/**
 * Which Fly resources a step of the lifecycle touches, as pure functions of the record: what a create still has to
 * make, what a start waits for, what a destroy deletes and in which order. stack-controller.ts and its steps
 * (bring-up.ts, teardown.ts) carry them out.
 */

/** The machines the record holds (of `roles`, default all), in role order. */
export const machineIds = (
  record: StackRecord,
  roles: readonly StackRole[] = STACK_ROLES,
): Array<[StackRole, string]> =>
  STACK_ROLES.filter((role) => roles.includes(role)).flatMap((role) => {
    const id = record.resources[role]?.machineId;
    return id ? [[role, id] as [StackRole, string]] : [];
  });

/** Roles (of `roles`) without a volume yet. */
export const pendingVolumes = (record: StackRecord, roles: readonly StackRole[] = STACK_ROLES): StackRole[] =>
  STACK_ROLES.filter((role) => roles.includes(role) && !record.resources[role]?.volumeId);

/** Roles (of `roles`) with a volume but no machine yet, with the volume their machine mounts. */
export const pendingMachines = (
  record: StackRecord,
  roles: readonly StackRole[] = STACK_ROLES,
): Array<[StackRole, string]> =>
  STACK_ROLES.filter((role) => roles.includes(role)).flatMap((role) => {
    const resources = record.resources[role];
    if (resources?.machineId || !resources?.volumeId) return [];
    return [[role, resources.volumeId] as [StackRole, string]];
  });

/** The record with `resources` merged into `role`'s. */
export const withResource = (
  record: StackRecord,
  role: StackRole,
  resources: RoleResources,
): StackRecord => ({
  ...record,
  resources: { ...record.resources, [role]: { ...record.resources[role], ...resources } },
});

/** The record without `role`'s machine or volume: one deleted at Fly is made again by the next bring-up. */
export function withoutResource(
  record: StackRecord,
  role: StackRole,
  kind: keyof RoleResources,
): StackRecord {
  const { [kind]: _, ...rest } = record.resources[role] ?? {};
  return { ...record, resources: { ...record.resources, [role]: rest } };
}

/** What a start of `roles` waits for: their machines, OpenCode with its server password. */
export const healthTargets = (
  record: StackRecord,
  opencodePassword: string,
  roles: readonly StackRole[] = STACK_ROLES,
): HealthTarget[] =>
  machineIds(record, roles).map(([role, machineId]) => ({
    role,
    machineId,
    password: role === "opencode" ? opencodePassword : undefined,
  }));

export interface TeardownStep {
  role: StackRole;
  kind: keyof RoleResources;
  id: string;
}

/** What a destroy deletes, in order: every machine, then every volume, each in role order. */
export const teardownSteps = (record: StackRecord): TeardownStep[] => [
  ...machineIds(record).map(([role, id]): TeardownStep => ({ role, kind: "machineId", id })),
  ...STACK_ROLES.flatMap((role): TeardownStep[] => {
    const id = record.resources[role]?.volumeId;
    return id ? [{ role, kind: "volumeId", id }] : [];
  }),
];

export * from "./tables/actors";
export * from "./tables/billing";
export * from "./tables/memory";
export * from "./tables/schedules";
export * from "./tables/shares";
export * from "./tables/stacks";
export * from "./tables/threads";
export * from "./tables/users";

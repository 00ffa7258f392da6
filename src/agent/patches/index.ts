export { createPatchesAgent, type PatchesPlanData } from "./agent.js";
export type { Candidate, PatchesOptions } from "./sources.js";

export { createTunerAgent, type TunerPlanData } from "./agent.js";
export { formatStrategy, parseStrategy } from "./assignment.js";
export { type HistoryEntry, type Move, nextMove, replay, type SearchState } from "./search.js";

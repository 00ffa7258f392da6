export { AGENT_LOG } from "../agent-log.js";
export { createLlmAgent, type LlmAgent, type LlmAgentOptions } from "./agent.js";
export { DEFAULTS, type LlmFlags, llmOptions } from "./config.js";
export {
  DEFAULT_BASE_URLS,
  DEFAULT_MODELS,
  isModelId,
  parseModelId,
  resolveEndpoint,
} from "./models.js";
export { costOf, parsePrice, priceOf } from "./prices.js";

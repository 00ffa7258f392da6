import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import type { Endpoint } from "./models.js";

/**
 * The AI SDK's model for an endpoint. Apart from models.ts (pure names and URLs) so that parsing
 * a model id does not load the SDK: only a run that calls a model does.
 */
export function createModel(endpoint: Endpoint): LanguageModel {
  switch (endpoint.provider) {
    case "anthropic":
      return createAnthropic({ baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey })(
        endpoint.model,
      );
    case "openai":
      // Chat Completions: the protocol every OpenAI-compatible server speaks as well.
      return createOpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey }).chat(
        endpoint.model,
      );
    case "openai-compatible":
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: endpoint.baseUrl,
        ...(endpoint.apiKey && { apiKey: endpoint.apiKey }),
        includeUsage: true,
      })(endpoint.model);
  }
}

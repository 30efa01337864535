export type { ChatMessage, FailureReason, ModelRequest, ModelResult, Role, Sampling, Usage } from "./types.js";

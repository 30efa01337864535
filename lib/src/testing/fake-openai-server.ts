import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** One injected fault, applied to one completion request. */
export type Fault =
  | { kind: "latency"; ms: number } // answer normally after a delay
  | { kind: "status"; status: number; retryAfter?: string; retryAfterMs?: number; message?: string }
  | { kind: "drop" } // close the connection without answering
  | { kind: "truncate" } // 200 with the JSON body cut in half
  | { kind: "slow"; chunkMs: number; chunks?: number } // the body trickles out in pieces
  | { kind: "length" } // finish_reason "length" (answer cut off)
  | { kind: "empty_choices" } // 200 with `choices: []`
  | { kind: "no_choices" } // 200 with no `choices` field at all
  | { kind: "error_body"; message?: string } // 200 with `{"error": {"message", "type", "code"}}` (OpenAI style)
  | { kind: "vllm_error"; message?: string } // 200 with `{"object": "error", "message", ...}` (as vLLM writes it)
  | { kind: "invalid_json" } // content that is not JSON
  | { kind: "wrong_type" } // message content is a number, not a string
  | { kind: "hang" }; // never answer

export interface CompletionBody {
  model?: string;
  messages?: { role: string; content: string }[];
  prompt?: string;
  max_tokens?: number;
  response_format?: { type: string; json_schema?: { name?: string; schema?: Record<string, unknown> } };
  [field: string]: unknown;
}

export interface FakeAnswer {
  content: string;
  finishReason?: string;
}

export interface FakeServerOptions {
  /** Port to listen on (0: a free one). */
  port?: number;
  /** Delay of every completion, in milliseconds. */
  latencyMs?: number;
  /** Builds the answer; default: a value satisfying the request's JSON schema, or an echo of the last message. */
  respond?: (body: CompletionBody, index: number) => string | FakeAnswer;
  /** Chooses a fault per completion request (index counts completions from 0). */
  fault?: (body: CompletionBody, index: number) => Fault | undefined;
  models?: string[];
  /** When set, /v1 routes require this bearer key. */
  apiKey?: string;
  /** Keep every request body (default true; benchmarks turn it off). */
  record?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body?: CompletionBody;
  at: number;
}

/** A value that satisfies a (simple) JSON schema: what a well-behaved structured-output server returns. */
export function sampleFromSchema(schema: Record<string, unknown> | undefined): unknown {
  if (!schema) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const anyOf = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length) return sampleFromSchema(anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, sampleFromSchema(sub)]));
    }
    case "array":
      return Array.from({ length: Number(schema.minItems ?? 0) }, () =>
        sampleFromSchema(schema.items as Record<string, unknown>),
      );
    case "string":
      return "x".repeat(Math.max(1, Number(schema.minLength ?? 1)));
    case "integer":
    case "number":
      return Number(schema.minimum ?? 0);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return {};
  }
}

function defaultRespond(body: CompletionBody): string {
  const schema = body.response_format?.json_schema?.schema;
  if (schema) return JSON.stringify(sampleFromSchema(schema));
  if (body.prompt !== undefined) return `echo: ${body.prompt.slice(-40)}`;
  const last = body.messages?.[body.messages.length - 1];
  return `echo: ${String(last?.content ?? "").slice(-40)}`;
}

/**
 * An OpenAI-compatible server on 127.0.0.1 for tests and benchmarks (a stand-in for vLLM): /health,
 * /v1/models, /v1/chat/completions, /v1/completions, deterministic answers, per-request fault injection,
 * a recording of every request, and stop/restart on the same port to play a server that dies.
 */
export class FakeOpenAIServer {
  readonly requests: RecordedRequest[] = [];
  /** Completion requests received (chat + completions). */
  completions = 0;
  healthy = true;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly queued: Fault[] = [];
  private portNumber = 0;

  private constructor(private readonly options: FakeServerOptions) {}

  static async start(options: FakeServerOptions = {}): Promise<FakeOpenAIServer> {
    const server = new FakeOpenAIServer(options);
    await server.listen(options.port ?? 0);
    return server;
  }

  get port(): number {
    return this.portNumber;
  }
  /** The OpenAI-compatible base URL (…/v1). */
  get url(): string {
    return `http://127.0.0.1:${this.portNumber}/v1`;
  }

  /** Faults for the next completion requests, in order (before the `fault` option is consulted). */
  queueFaults(...faults: Fault[]): void {
    this.queued.push(...faults);
  }

  /** Completion bodies received, in order. */
  completionBodies(): CompletionBody[] {
    return this.requests.filter((r) => r.path.endsWith("completions") && r.body).map((r) => r.body!);
  }

  /** Close the port and every connection, like a server process that died. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listen again on the same port. */
  async restart(): Promise<void> {
    await this.listen(this.portNumber);
  }

  close(): Promise<void> {
    return this.stop();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        this.portNumber = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? "/").split("?")[0];
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(value);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    };
    if (path === "/health") {
      if (this.options.record !== false) this.requests.push({ method: req.method ?? "GET", path, at: Date.now() });
      return this.healthy ? json(200, {}) : json(503, { error: "engine dead" });
    }
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      // Echo what was received, like a careless server would: the client must not let it reach its errors.
      return json(401, { error: { message: `invalid key: ${req.headers.authorization ?? "(none)"}` } });
    }
    if (path === "/v1/models") {
      if (this.options.record !== false) this.requests.push({ method: req.method ?? "GET", path, at: Date.now() });
      const ids = this.options.models ?? ["test-model"];
      return json(200, { object: "list", data: ids.map((id) => ({ id, object: "model", owned_by: "fake" })) });
    }
    if (path !== "/v1/chat/completions" && path !== "/v1/completions")
      return json(404, { error: { message: `no route ${path}` } });
    let body: CompletionBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return json(400, { error: { message: "request body is not JSON" } });
    }
    const index = this.completions++;
    if (this.options.record !== false) this.requests.push({ method: req.method ?? "POST", path, body, at: Date.now() });
    if (!this.healthy) return json(503, { error: { message: "engine dead" } });
    const fault = this.queued.shift() ?? this.options.fault?.(body, index);
    const delay = (fault?.kind === "latency" ? fault.ms : 0) + (this.options.latencyMs ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (fault?.kind === "hang") return;
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "error_body") {
      const message = fault.message ?? "injected error in a 200 reply";
      return json(200, { error: { message, type: "server_error", param: null, code: 500 } });
    }
    if (fault?.kind === "vllm_error") {
      const message = fault.message ?? "injected vLLM error in a 200 reply";
      return json(200, { object: "error", message, type: "InternalServerError", param: null, code: 500 });
    }
    if (fault?.kind === "status") {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
      return json(fault.status, { error: { message: fault.message ?? `injected ${fault.status}` } }, headers);
    }
    const answer = this.options.respond?.(body, index) ?? defaultRespond(body);
    let content: unknown = typeof answer === "string" ? answer : answer.content;
    let finishReason = typeof answer === "string" ? "stop" : (answer.finishReason ?? "stop");
    if (fault?.kind === "length") {
      content = String(content).slice(0, Math.max(1, Math.floor(String(content).length / 2)));
      finishReason = "length";
    }
    if (fault?.kind === "invalid_json") content = "Sure! Here is the answer: {not json";
    if (fault?.kind === "wrong_type") content = 42;
    const chat = path === "/v1/chat/completions";
    const promptChars = chat
      ? (body.messages ?? []).reduce((n, m) => n + String(m.content).length, 0)
      : String(body.prompt ?? "").length;
    const choice = chat
      ? { index: 0, message: { role: "assistant", content }, finish_reason: finishReason }
      : { index: 0, text: content, finish_reason: finishReason };
    const reply: Record<string, unknown> = {
      id: `cmpl-${index}`,
      object: chat ? "chat.completion" : "text_completion",
      created: 0,
      model: body.model,
      choices: fault?.kind === "empty_choices" ? [] : [choice],
      usage: {
        prompt_tokens: Math.ceil(promptChars / 4),
        completion_tokens: Math.ceil(String(content).length / 4),
        total_tokens: Math.ceil(promptChars / 4) + Math.ceil(String(content).length / 4),
      },
    };
    if (fault?.kind === "no_choices") delete reply.choices;
    const text = JSON.stringify(reply);
    if (fault?.kind === "truncate") {
      const cut = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(cut) });
      res.end(cut);
      return;
    }
    if (fault?.kind === "slow") {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      const pieces = Math.max(2, fault.chunks ?? 5);
      const size = Math.ceil(text.length / pieces);
      for (let i = 0; i < text.length; i += size) {
        if (res.destroyed) return;
        res.write(text.slice(i, i + size));
        await new Promise((resolve) => setTimeout(resolve, fault.chunkMs));
      }
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
}

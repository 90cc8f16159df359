// A model's chat template (Jinja, from tokenizer_config.json or chat_template.jinja), rendered with
// @huggingface/jinja exactly as transformers' apply_chat_template does. Lab 03's chat requests use it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { MiniserveError } from "../errors/codes.ts";
import type { ChatTurn } from "./text-tokenizer.ts";

/** tokenizer_config.json writes special tokens as strings or as {"content": ...} objects. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

/** The template source: chat_template.jinja, chat_template.json, or tokenizer_config.json's chat_template. */
function templateSource(dir: string, tokenizerConfig: Record<string, unknown>): { source: string; file: string } | null {
  const jinja = join(dir, "chat_template.jinja");
  if (existsSync(jinja)) return { source: readFileSync(jinja, "utf8"), file: jinja };
  let raw = tokenizerConfig["chat_template"];
  let file = join(dir, "tokenizer_config.json");
  const json = join(dir, "chat_template.json");
  if (raw === undefined && existsSync(json)) {
    raw = (JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>)["chat_template"];
    file = json;
  }
  // A list of named templates: the "default" one serves plain chats.
  if (Array.isArray(raw)) raw = (raw.find((t) => t?.name === "default") ?? raw[0])?.template;
  return typeof raw === "string" && raw.trim() !== "" ? { source: raw, file } : null;
}

export class ChatTemplate {
  private constructor(
    private readonly template: Template,
    private readonly specialTokens: Record<string, string | undefined>,
  ) {}

  /** The folder's template, or null when it has none; a template that does not parse is refused. */
  static fromFolder(dir: string, tokenizerConfig: Record<string, unknown>): ChatTemplate | null {
    const found = templateSource(dir, tokenizerConfig);
    if (found === null) return null;
    let template: Template;
    try {
      template = new Template(found.source);
    } catch (err) {
      throw new MiniserveError("MSV_ERR_MODEL_TOKENIZER", `the chat template in ${found.file} does not parse: ${(err as Error).message}`);
    }
    const special = Object.fromEntries(["bos_token", "eos_token", "pad_token", "unk_token"].map((k) => [k, tokenText(tokenizerConfig[k])]));
    return new ChatTemplate(template, special);
  }

  /** The conversation as text, the assistant's turn opened; a template that refuses it is a 400. */
  render(messages: readonly ChatTurn[]): string {
    try {
      // OpenAI's "developer" role is what chat templates call "system".
      const turns = messages.map((m) => ({ role: m.role === "developer" ? "system" : m.role, content: m.content }));
      return this.template.render({ ...this.specialTokens, messages: turns, add_generation_prompt: true });
    } catch (err) {
      throw new MiniserveError("MSV_ERR_INVALID_FIELD", `The model's chat template refused these messages: ${(err as Error).message}`, "messages");
    }
  }
}

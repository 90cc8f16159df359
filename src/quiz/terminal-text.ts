// How quiz text looks in a terminal: inline code (kept in backticks by the parser) shown in cyan without the
// backticks on a colour terminal, and left in backticks, plain, when output is piped or colour is off.

/** Renders the inline-code spans of one line of quiz text. */
export type TextRenderer = (text: string) => string;

const CODE_SPAN = /`([^`\n]+)`/g;
const CYAN = "\x1b[36m";
// Resets only the colour, so the bold of a prompt message or of the highlighted choice survives the span.
const DEFAULT_COLOUR = "\x1b[39m";

/** Leaves text as the parser wrote it: code stays in backticks. Right for pipes, files and tests. */
export const keepBackticks: TextRenderer = (text) => text;

/** The text without backticks or colour, e.g. the short answer echoed after a prompt. */
export const withoutBackticks: TextRenderer = (text) => text.replace(CODE_SPAN, "$1");

/** Code spans in cyan, backticks dropped. */
export const colouredCode: TextRenderer = (text) => text.replace(CODE_SPAN, `${CYAN}$1${DEFAULT_COLOUR}`);

/**
 * Colour only for a terminal that wants it: a TTY, NO_COLOR unset and FORCE_COLOR not "0"
 * (FORCE_COLOR=1 forces it on a pipe too), the conventions of https://no-color.org and Node itself.
 */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined) return env["FORCE_COLOR"] !== "0";
  return stream.isTTY === true;
}

export function rendererFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): TextRenderer {
  return wantsColour(stream, env) ? colouredCode : keepBackticks;
}

import { RenderLimitError } from "./errors";

/**
 * Bounds on rendering work, so no template, markdown body or parameter set can hold the isolate.
 * Each is refused as a RenderLimitError (a 422 naming the field), never truncated.
 */

/** Sections inside sections: deeper is refused when the template is parsed. */
export const MAX_TEMPLATE_NESTING = 20;

/** Tokens visited in one render (a section over an array visits its tokens once per item). */
export const MAX_TEMPLATE_STEPS = 1_000_000;

/** Characters one render may produce for an email body: the send schema's body bound. */
export const MAX_BODY_OUTPUT = 2_000_000;

/** Characters one render may produce for anything else: subjects, SMS, chat text and card strings, recipients. */
export const MAX_FIELD_OUTPUT = 100_000;

/**
 * UTF-8 bytes of a markdown body once rendered (parameters in, with their escapes). markdown-it
 * is linear, but its worst inputs still cost about 1–3 ms per KB; this keeps one body to a few
 * hundred milliseconds at most (about 15,000 words is still far more than an email needs).
 */
export const MAX_MARKDOWN_BYTES = 100_000;

/** Blockquotes and lists inside one another in a markdown body. */
export const MAX_MARKDOWN_NESTING = 20;

/** Characters all the strings of one chat message (text and every card string) may produce together. */
export const MAX_CHAT_OUTPUT = 256 * 1024;

/**
 * Work and output shared by several renders that make one message: each render is bounded on
 * its own, but a card holds thousands of strings, so the card as a whole spends from one budget.
 *
 * @example
 * ```ts
 * const budget = new RenderBudget(MAX_CHAT_OUTPUT);
 * for (const s of cardStrings) renderTemplate(s, params, { renderer, escape: "none", budget });
 * ```
 */
export class RenderBudget {
  constructor(
    private output: number,
    private steps: number = MAX_TEMPLATE_STEPS,
  ) {}

  spendSteps(count: number): void {
    this.steps -= count;
    if (this.steps < 0) throw new RenderLimitError(`Takes more than ${MAX_TEMPLATE_STEPS} steps to render in all (sections repeat over too many items)`);
  }

  spendOutput(characters: number, limit: number = this.output): void {
    this.output -= characters;
    if (this.output < 0) throw new RenderLimitError(`Renders to more than ${limit} characters in all`);
  }
}

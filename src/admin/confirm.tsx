import type { Child } from "hono/jsx";
import { ErrorSummary, type FormError } from "./layout";

/**
 * GOV.UK's "are you sure" page before a change that cannot be taken back (remove, delete,
 * release, rotate): a back link, the question as the page's h1, what it is about (`children`: a
 * summary list and what follows), one button posting to `action`, and a Cancel link to `cancel`
 * (the back link's page unless given). Without `action` there is no form: the page explains why
 * in `children`. `warning` (the default) makes it GOV.UK's red warning button; `errors` a refusal
 * shown above all. `formId` gives the form an id an error summary can link to.
 *
 * @example
 * ```tsx
 * <ConfirmPage back={LIST} backText="Back to chat targets" heading={<>Are you sure you want to remove ‘{name}’?</>} action={`${LIST}/${name}/remove`} button="Remove chat target">
 *   <p class="body">Messages already sent keep it.</p>
 * </ConfirmPage>
 * ```
 */
export function ConfirmPage(props: { back: string; backText: string; heading: Child; action?: string; button: string; warning?: boolean; cancel?: string; formId?: string; errors?: FormError[]; children?: Child }) {
  return (
    <>
      {props.errors && <ErrorSummary errors={props.errors} />}
      <a class="back-link" href={props.back}>
        {props.backText}
      </a>
      <h1 class="heading-l">{props.heading}</h1>
      {props.children}
      {props.action && (
        <form method="post" action={props.action} id={props.formId}>
          <button type="submit" class={props.warning === false ? "button" : "button button--warning"}>
            {props.button}
          </button>
        </form>
      )}
      <p class="body">
        <a href={props.cancel ?? props.back}>Cancel</a>
      </p>
    </>
  );
}

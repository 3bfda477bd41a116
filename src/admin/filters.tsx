import type { Child } from "hono/jsx";
import { FormGroup, describedBy } from "./layout";

/**
 * The filter form above a list (GOV.UK's filter pattern as the house styles it): a GET form to
 * the list's own path, its fields in one fieldset named by `legend`, "Apply filters", and a link
 * back to the unfiltered list while any filter is set (`filtered`); a list with one filter says
 * so (`applyText`, `clearText`).
 *
 * @example
 * ```tsx
 * <FilterForm action="/admin/activity" legend="Filter notifications" filtered={filtered}>
 *   <TextField id="tag" name="tag" label="Tag" value={filters.tag} autocomplete="off" />
 * </FilterForm>
 * ```
 */
export function FilterForm(props: { action: string; legend: string; filtered: boolean; applyText?: string; clearText?: string; children?: Child }) {
  return (
    <form method="get" action={props.action} class="filters" novalidate>
      <fieldset class="fieldset">
        <legend class="fieldset__legend">{props.legend}</legend>
        <div class="filters__fields">{props.children}</div>
      </fieldset>
      <button type="submit" class="button">
        {props.applyText ?? "Apply filters"}
      </button>{" "}
      {props.filtered && (
        <a class="filters__clear" href={props.action}>
          {props.clearText ?? "Clear filters"}
        </a>
      )}
    </form>
  );
}

/**
 * A labelled select of a filter, "Any" first, with its inline error (the error summary links to
 * `id`). `options` are [value, label] pairs; the one equal to `value` is selected.
 *
 * @example
 * ```tsx
 * <FilterSelect id="channel" label="Channel" value={filters.channel} options={CHANNELS.map((ch) => [ch, CHANNEL_LABELS[ch]])} error={errorFor(errors, "channel")} />
 * ```
 */
export function FilterSelect(props: { id: string; label: string; value: string; options: [string, string][]; error?: string }) {
  return (
    <FormGroup id={props.id} label={props.label} error={props.error}>
      <select class="select" id={props.id} name={props.id} aria-describedby={describedBy(props.id, undefined, props.error)}>
        <option value="">Any</option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={props.value === value}>
            {label}
          </option>
        ))}
      </select>
    </FormGroup>
  );
}

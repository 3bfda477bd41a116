import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/errors/api-error";
import { parseDelayedSend } from "./schedule";

const now = new Date("2027-06-20T12:00:00Z");

function messageOf(value: string): string {
  try {
    parseDelayedSend(value, "delayedSend", now);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect(api.status).toBe(422);
    expect(api.errors?.[0]?.path).toBe("delayedSend");
    return api.errors![0]!.message;
  }
  throw new Error(`${value} was accepted`);
}

describe("parseDelayedSend", () => {
  it.each([
    ["2027-06-25T15:15:00", "2027-06-25T15:15:00.000Z"],
    ["2027-06-25 15:15", "2027-06-25T15:15:00.000Z"],
    ["2027-06-25T15:15:00.5Z", "2027-06-25T15:15:00.500Z"],
    ["2027-06-25T08:15:00-07:00", "2027-06-25T15:15:00.000Z"],
    ["2027-06-26T05:15:00+1400", "2027-06-25T15:15:00.000Z"],
    ["2027-06-25t15:15:00z", "2027-06-25T15:15:00.000Z"],
  ])("reads %s", (value, iso) => {
    expect(parseDelayedSend(value, "delayedSend", now)?.toISOString()).toBe(iso);
  });

  it.each([
    "2027-06-25T15:15:00+99:99",
    "2027-06-25T15:15:00+24:00",
    "2027-06-25T15:15:00-05:60",
    "2027-13-01T00:00:00Z",
    "2027-00-01T00:00:00Z",
    "2027-06-32T00:00:00Z",
    "2027-06-00T00:00:00Z",
    "2027-02-30T00:00:00Z",
    "2027-02-29T00:00:00Z",
    "2027-06-25T25:00:00Z",
    "2027-06-25T24:00:00Z",
    "2027-06-25T15:60:00Z",
    "2027-06-30T23:59:60Z",
    "+275760-09-13T00:00:00Z",
    "99999-01-01T00:00:00Z",
    "Z",
    "",
    "2027-06-25",
    "2027-06-25T15:15:00Zjunk",
    "tomorrow",
  ])("refuses %j as not a valid ISO 8601 date-time", (value) => {
    expect(messageOf(value)).toMatch(/^Not a valid ISO 8601 date-time/);
  });

  it("reads two-digit years literally (not as 19xx), so year 0050 is in the past", () => {
    expect(messageOf("0050-01-01T00:00:00Z")).toMatch(/^Must be in the future/);
  });

  it("keeps the future and 30-day rules for valid instants", () => {
    expect(messageOf("2027-06-20T11:59:59Z")).toMatch(/^Must be in the future/);
    expect(messageOf("2027-07-21T12:00:01Z")).toMatch(/within 30 days/);
  });
});

// Expand an .ics file with two iCalendar parsers we did not write, for the interop tests.
//
// Usage: node occurrences.mjs <file.ics> <from ISO-8601 UTC> <to ISO-8601 UTC>
//
// Prints one JSON object: {"ical.js": [...], "node-ical": [...]}, each a sorted list of
// {"uid", "start", "end"} with "start" and "end" the UTC start and end
// ("2026-02-17T16:30:00Z") of every occurrence of every event that starts in [from, to):
// RRULEs expanded, EXDATEs removed, RECURRENCE-ID overrides applied. Any parser error or unresolved time zone exits 1, so
// the Python side sees a failure instead of a quietly wrong list.

import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import nodeIcal from "node-ical";

// Overrides may move an occurrence by weeks; keep expanding this far past the window.
const MARGIN_MS = 92 * 24 * 3600 * 1000;
const MAX_OCCURRENCES = 100000;

function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function parseWindow(fromArg, toArg) {
  const from = new Date(fromArg);
  const to = new Date(toArg);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    throw new Error(`invalid window: ${fromArg} .. ${toArg}`);
  }
  return { from, to };
}

function entry(uid, start, end) {
  return { uid, start: isoSeconds(start), end: isoSeconds(end) };
}

function sorted(list) {
  return list.sort((a, b) => (a.start === b.start ? a.uid.localeCompare(b.uid) : a.start < b.start ? -1 : 1));
}

// ---------------------------------------------------------------- ical.js (Mozilla)

function icalTimeToUtc(time, what) {
  // A TZID that ical.js could not resolve from the file's VTIMEZONEs ends up floating,
  // which would silently use this machine's zone.
  if (!time.zone || time.zone === ICAL.Timezone.localTimezone || time.zone.tzid === "floating") {
    throw new Error(`ical.js: ${what} ${time.toString()} is floating (unresolved TZID?)`);
  }
  return new Date(time.toUnixTime() * 1000);
}

function expandWithIcalJs(text, from, to) {
  const root = new ICAL.Component(ICAL.parse(text));
  const masters = new Map();
  const exceptions = [];
  for (const component of root.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    if (event.isRecurrenceException()) {
      exceptions.push(event);
    } else if (masters.has(event.uid)) {
      throw new Error(`ical.js: two events without RECURRENCE-ID share UID ${event.uid}`);
    } else {
      masters.set(event.uid, event);
    }
  }
  const out = [];
  for (const exception of exceptions) {
    const master = masters.get(exception.uid);
    if (master) {
      master.relateException(exception);
    } else {
      // A lone override still is an event of its own.
      const start = icalTimeToUtc(exception.startDate, exception.uid);
      const end = icalTimeToUtc(exception.endDate, exception.uid);
      if (start >= from && start < to) out.push(entry(exception.uid, start, end));
    }
  }
  for (const event of masters.values()) {
    if (!event.isRecurring()) {
      const start = icalTimeToUtc(event.startDate, event.uid);
      const end = icalTimeToUtc(event.endDate, event.uid);
      if (start >= from && start < to) out.push(entry(event.uid, start, end));
      continue;
    }
    const iterator = event.iterator();
    let count = 0;
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (++count > MAX_OCCURRENCES) throw new Error(`ical.js: runaway expansion of ${event.uid}`);
      const ruleStart = icalTimeToUtc(next, event.uid);
      if (ruleStart.getTime() > to.getTime() + MARGIN_MS) break;
      const details = event.getOccurrenceDetails(next);
      const start = icalTimeToUtc(details.startDate, event.uid);
      const end = icalTimeToUtc(details.endDate, event.uid);
      if (start >= from && start < to) out.push(entry(event.uid, start, end));
    }
  }
  return sorted(out);
}

// ---------------------------------------------------------------------- node-ical

function expandWithNodeIcal(text, from, to) {
  const data = nodeIcal.sync.parseICS(text);
  const out = [];
  const searchFrom = new Date(from.getTime() - MARGIN_MS);
  const searchTo = new Date(to.getTime() + MARGIN_MS);
  for (const item of Object.values(data)) {
    if (!item || item.type !== "VEVENT") continue;
    // node-ical files overrides under their master's "recurrences"; a top-level entry
    // with a RECURRENCE-ID is an override without a master.
    const instances = nodeIcal.expandRecurringEvent(item, { from: searchFrom, to: searchTo });
    for (const instance of instances) {
      const start = instance.start;
      if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
        throw new Error(`node-ical: event ${item.uid} has an unreadable start`);
      }
      const end = instance.end;
      if (!(end instanceof Date) || Number.isNaN(end.getTime())) {
        throw new Error(`node-ical: event ${item.uid} has an unreadable end`);
      }
      if (start >= from && start < to) out.push(entry(item.uid, start, end));
    }
  }
  return sorted(out);
}

// ---------------------------------------------------------------------------- main

function main(argv) {
  if (argv.length !== 3) {
    process.stderr.write("usage: node occurrences.mjs <file.ics> <from> <to>\n");
    return 2;
  }
  const [path, fromArg, toArg] = argv;
  const { from, to } = parseWindow(fromArg, toArg);
  const text = readFileSync(path, "utf8");
  const result = {
    "ical.js": expandWithIcalJs(text, from, to),
    "node-ical": expandWithNodeIcal(text, from, to),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
}

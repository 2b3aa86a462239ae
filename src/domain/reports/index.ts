/**
 * The City's figures (issue 8, "The figures"): the report's shape, what each figure means, and
 * the pure work around them (periods and intervals in the City's zone, when a callback is
 * overdue, putting the database's aggregates together). Pure: time comes in as an argument.
 */
export * from "./report.js";
export * from "./definitions.js";
export * from "./period.js";
export * from "./callbacks.js";
export * from "./assemble.js";
export * from "./render-text.js";
export * from "./render-csv.js";

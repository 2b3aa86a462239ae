/** GeoReport v2's discovery document: where the line's endpoint is and what it speaks. */

/** When this endpoint last changed what it serves (ISO 8601); clients compare it to cache. */
export const GEOREPORT_CHANGESET = "2026-12-03T00:00:00Z";

/** The specification the endpoint follows, as discovery documents name it. */
export const GEOREPORT_SPECIFICATION = "http://wiki.open311.org/GeoReport_v2";

export interface Discovery {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: { specification: string; url: string; changeset: string; type: "production" | "test"; formats: string[] }[];
}

/**
 * The discovery document for the endpoint at `url` (`https://line.example.org/open311/v2`).
 *
 * @example discovery({ url: "https://311.lethbridge.ca/open311/v2" }).endpoints[0].formats // ["application/json", "text/xml"]
 */
export function discovery(options: { url: string; contact?: string; keyService?: string }): Discovery {
  return {
    changeset: GEOREPORT_CHANGESET,
    contact: options.contact ?? "The City's 311 centre (phone 311).",
    key_service: options.keyService ?? "Ask the City's 311 centre for an api_key; its operators make one with: npm run open311 -- key add <name>",
    endpoints: [
      {
        specification: GEOREPORT_SPECIFICATION,
        url: options.url,
        changeset: GEOREPORT_CHANGESET,
        type: "production",
        formats: ["application/json", "text/xml"],
      },
    ],
  };
}

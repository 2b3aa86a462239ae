/** The emergency message form, saved through `PUT /api/emergency` (the same override the command line sets). */
import { request } from "./api.js";

export function mountEmergencyForm(form: HTMLFormElement): void {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const status = form.querySelector<HTMLElement>("[data-save-status]")!;
    const mode = String(data.get("mode") ?? "normal");
    const message = String(data.get("message") ?? "").trim();
    const until = String(data.get("until") ?? "").trim();
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    button.disabled = true;
    status.className = "status";
    status.textContent = "Saving…";
    try {
      await request("PUT", "/api/emergency", {
        mode,
        ...(mode !== "normal" && message ? { message } : {}),
        ...(mode !== "normal" && until ? { until } : {}),
      });
      location.assign("/console/emergency?saved=1");
    } catch (error) {
      button.disabled = false;
      status.className = "status error";
      status.textContent = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
}

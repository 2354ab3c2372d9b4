// The audit log (admins): whether its hash chain holds, and the latest
// entries.
import { t, num } from "./i18n.js";
import { el, ltr, date, table } from "./dom.js";
import { api } from "./api.js";
import { registerPage, ticket } from "./shell.js";

registerPage("audit", {
  nav: "nav.audit",
  roles: ["admin"],
  async render(view) {
    const stale = ticket();
    const [v, stats] = await Promise.all([api("GET", "/v1/audit/verify"), api("GET", "/v1/stats")]);
    const after = Math.max(0, (stats.audit_seq || 0) - 200);
    const data = await api("GET", "/v1/audit?limit=200&after=" + after);
    if (stale()) return;
    view.append(el("h2", {}, t("nav.audit")),
      el("p", { id: "audit-status", class: v.intact ? "ok status" : "bad status", role: "status" },
        v.intact ? "✓ " + t("audit_intact", { n: num(v.verified) }) : "✗ " + t("audit_broken", { n: num(v.broken_at) }) + " " + (v.reason || ""),
        v.last_hash ? el("span", { class: "meta" }, " · ", t("audit_head"), " ", ltr(v.last_hash.slice(0, 16) + "…")) : ""),
      table("audit", ["seq", "when", "who", "audit_action", "object", "details"], (data.entries || []).reverse().map((e) => el("tr", {},
        el("td", {}, num(e.seq)), el("td", {}, date(e.time)), el("td", {}, ltr(e.actor)), el("td", {}, ltr(e.action)), el("td", {}, ltr(e.object)),
        el("td", {}, e.details ? ltr(JSON.stringify(e.details)) : "")))));
  },
});

// Language of the screen: the one message catalogue (messages.json, ar fr
// en, with CLDR plural forms), and numbers and dates in the UI's language,
// never the browser's. Arabic uses ar-MA, whose day-month order Moroccan
// analysts read; its digits are Latin unless the user picks Arabic-Indic.

let M = { en: {} };
export const prefs = {
  lang: localStorage.getItem("basira.lang") || "ar",
  digits: localStorage.getItem("basira.digits") || "latn",
};
const LOCALES = { ar: "ar-MA", fr: "fr-FR", en: "en-GB" };

export async function loadCatalogue() {
  const res = await fetch("messages.json");
  M = await res.json();
  if (!M[prefs.lang]) prefs.lang = "ar";
}

// savePrefs writes the choices again (sign-out clears the site's storage).
export function savePrefs() {
  localStorage.setItem("basira.lang", prefs.lang);
  localStorage.setItem("basira.digits", prefs.digits);
}

export const languages = () => Object.keys(M);

// loc is the BCP 47 locale of the screen, with the digit choice.
export function loc() {
  const base = LOCALES[prefs.lang] || "en-GB";
  return prefs.lang === "ar" ? `${base}-u-nu-${prefs.digits === "arab" ? "arab" : "latn"}` : base;
}

const raw = (k) => (M[prefs.lang] && M[prefs.lang][k] !== undefined ? M[prefs.lang][k] : M.en[k]);
export const has = (k) => typeof raw(k) === "string";
// t returns the message of key k, with {name} placeholders filled from vars.
export function t(k, vars) {
  const v = raw(k);
  let s = typeof v === "string" ? v : k;
  for (const [name, val] of Object.entries(vars || {})) s = s.replace("{" + name + "}", val);
  return s;
}
// name translates an id of a kind (cat, status, sev, action, ref, det,
// lang, id); an id the catalogue lacks shows as is.
export const name = (kind, id) => { const v = raw(kind + "." + id); return typeof v === "string" ? v : (id || ""); };
// ids lists the ids of a kind the catalogue names.
export const ids = (kind) => Object.keys(M.en).filter((k) => k.startsWith(kind + ".")).map((k) => k.slice(kind.length + 1));

export const num = (n, digits) => new Intl.NumberFormat(loc(), digits == null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
export const percent = (x) => new Intl.NumberFormat(loc(), { style: "percent", maximumFractionDigits: 0 }).format(x);

// plural picks the form of the language's plural rules (Arabic has six).
export function plural(k, n) {
  const v = raw(k);
  const forms = v && typeof v === "object" ? v : { other: "{n} " + k };
  const cat = new Intl.PluralRules(loc()).select(n);
  return (forms[cat] || forms.other).replace("{n}", num(n));
}

export const dateText = (d, opts) => new Intl.DateTimeFormat(loc(), opts || { dateStyle: "medium", timeStyle: "short" }).format(d);

// duration says a delay in the largest unit that keeps it readable:
// "45 s", "12 min", "3.5 h", "2.1 d" (never "0.0 h").
export function duration(seconds) {
  const unit = (u, v, digits) => new Intl.NumberFormat(loc(), { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: digits }).format(v);
  if (seconds < 60) return unit("second", Math.round(seconds), 0);
  if (seconds < 3600) return unit("minute", Math.round(seconds / 60), 0);
  if (seconds < 86400) return unit("hour", seconds / 3600, 1);
  return unit("day", seconds / 86400, 1);
}

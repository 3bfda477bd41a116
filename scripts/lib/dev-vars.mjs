/**
 * Reads a .dev.vars / .env file: KEY=value lines, `#` comments, optional quotes.
 *
 * @example
 * parseDotEnv('ADMIN_TOKEN=abc  # operator\nX="y"') // { ADMIN_TOKEN: "abc", X: "y" }
 */
export function parseDotEnv(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^["']/.test(value)) {
      const quote = value[0];
      const end = value.indexOf(quote, 1);
      value = end === -1 ? value.slice(1) : value.slice(1, end);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out[key] = value;
  }
  return out;
}

/** The variables a local run needs, with freshly generated values for the ones that are secret. */
export function requiredLocalVars({ secret }) {
  return {
    ADMIN_TOKEN: { value: secret(), comment: "operator token for /api/v1/tenants" },
    API_KEY_ENCRYPTION_KEY: { value: secret(), comment: "encrypts API key secrets at rest; changing it invalidates existing keys" },
  };
}

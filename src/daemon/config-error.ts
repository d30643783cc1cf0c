// The configuration's one error type (what is wrong, and where), apart so the parsers
// of each group of keys can throw it without importing config.ts.
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

// Bad --type/--mac/--src/--dst values are usage errors (exit 2), found
// before any interface is opened.
import { CliError } from '../cli-error.js';
import { DecodeError } from '../proto/errors.js';
import { buildRecordFilter, type RecordFilterSpec } from '../proto/record-filter.js';

export function checkRecordFilter(spec: RecordFilterSpec): void {
  try {
    buildRecordFilter(spec);
  } catch (err) {
    if (err instanceof DecodeError) throw new CliError(err.message, 2);
    throw err;
  }
}

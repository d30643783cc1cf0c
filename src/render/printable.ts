// Text from the wire or from files (pcapng interface names, anything a capture
// carries) on its way to a terminal: control characters are shown escaped
// (\x1b, \x7f, \u009b …), so a crafted name cannot move the cursor, retitle
// the window or hide lines. JSON output needs none of this (JSON.stringify
// escapes C0 controls; the rest is data for programs).

// C0 controls, DEL, C1 controls, and the bidirectional overrides.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  if (!CONTROL.test(text)) return text;
  CONTROL.lastIndex = 0;
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

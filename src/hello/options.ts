// What `lsoe hello` is asked to do (built by commands/hello.ts).
export interface HelloOptions {
  interface: string;
  /** HELLOs to send */
  count: number;
  /** seconds between HELLOs */
  interval: number;
  /** seconds to wait for OPENs after the last HELLO */
  wait: number;
  /** HELLO destination, aa:bb:cc:dd:ee:ff */
  dst: string;
  json: boolean;
  ethertype: number;
}

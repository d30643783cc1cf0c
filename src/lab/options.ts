// What `lsoe lab up|status|down` are asked to do (built by commands/lab.ts):
// beside the code that uses it, so src/lab imports nothing from src/commands.

export interface LabUpOptions {
  name: string;
  spines: number;
  leaves: number;
  topology: string | null;
  port: number;
  wait: boolean;
  /** seconds --wait waits; null: scaled with the lab's size */
  timeout: number | null;
  json: boolean;
  /** gobgpd as the fabric's BGP-LS collector, every daemon peering with it */
  bgp: boolean;
}

export interface LabNameOptions {
  name: string;
  json: boolean;
}

export interface LabStatusOptions extends LabNameOptions {
  /** the links as BGP-LS shows them, instead of the session ends */
  bgp: boolean;
}

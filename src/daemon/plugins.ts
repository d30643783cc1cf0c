// Vendor plugins (PROTOCOL.md section 5, VENDOR): `--plugin FILE.js` loads an ES module
// whose default export (or `register` export) is called once with a PluginApi. It
// registers handlers by IANA enterprise number; the daemon ACKs every VENDOR PDU itself
// and hands it to them. A plugin that throws is logged and counted, never fatal.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { VendorPdu } from '../proto/types.js';
import type { Level, Logger } from './log.js';

/** The session a VENDOR PDU came on (or that just opened), as a plugin sees it. */
export interface VendorSession {
  readonly ifname: string;
  readonly peerMac: string;
  readonly peerId: string | null;
  /** hex, as in the peer's OPEN */
  readonly peerAttributes: string | null;
  /**
   * Queues a VENDOR PDU to this peer (acked and retransmitted like any other); false if
   * the session is not open. Throws PluginError at once when the PDU cannot be sent at all:
   * enterprise number outside 0..2^32-1, type outside 0..255, data not octets, too large.
   */
  send(enterpriseNumber: number, enterpriseType: number, data: Buffer | string): boolean;
}

export type VendorHandler = (pdu: VendorPdu, session: VendorSession) => void;
export type SessionHandler = (session: VendorSession) => void;

export interface PluginApi {
  /** the daemon's version, so a plugin can refuse one it does not know */
  readonly version: string;
  onVendor(enterpriseNumber: number, handler: VendorHandler): void;
  onSessionUp(handler: SessionHandler): void;
  onSessionDown(handler: SessionHandler): void;
  log(level: Level, message: string, fields?: Record<string, unknown>): void;
}

export type PluginModule = { default?: unknown; register?: unknown };

export class PluginError extends Error {
  override readonly name = 'PluginError';
}

export class PluginRegistry {
  private readonly vendor = new Map<number, Array<{ plugin: string; fn: VendorHandler }>>();
  private readonly up: Array<{ plugin: string; fn: SessionHandler }> = [];
  private readonly down: Array<{ plugin: string; fn: SessionHandler }> = [];
  readonly counters = { vendorDelivered: 0, vendorUnhandled: 0, pluginErrors: 0 };

  constructor(
    private readonly log: Logger,
    private readonly version = '0.0.0',
  ) {}

  /** The API handed to one plugin; its name tags its log lines and errors. */
  apiFor(plugin: string): PluginApi {
    return {
      version: this.version,
      onVendor: (enterpriseNumber, fn) => {
        if (!Number.isInteger(enterpriseNumber) || enterpriseNumber < 0 || enterpriseNumber > 0xffffffff) {
          throw new PluginError(`enterprise number ${enterpriseNumber} is not a 32-bit unsigned integer`);
        }
        if (typeof fn !== 'function') throw new PluginError('onVendor needs a handler function');
        const list = this.vendor.get(enterpriseNumber) ?? [];
        list.push({ plugin, fn });
        this.vendor.set(enterpriseNumber, list);
      },
      onSessionUp: (fn) => {
        this.up.push({ plugin, fn });
      },
      onSessionDown: (fn) => {
        this.down.push({ plugin, fn });
      },
      log: (level, message, fields) => this.log.log(level, 'plugin', message, { plugin, ...fields }),
    };
  }

  /** Registers a plugin from its module object (what `import()` returned). */
  async register(plugin: string, mod: PluginModule): Promise<void> {
    const entry = typeof mod.default === 'function' ? mod.default : mod.register;
    if (typeof entry !== 'function') {
      throw new PluginError(`plugin ${plugin}: exports neither a default function nor register()`);
    }
    try {
      await (entry as (api: PluginApi) => unknown)(this.apiFor(plugin));
    } catch (err) {
      throw new PluginError(`plugin ${plugin}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  enterpriseNumbers(): number[] {
    return [...this.vendor.keys()].sort((a, b) => a - b);
  }

  /** Hands a received VENDOR PDU to its handlers; false when no plugin knows the number. */
  deliver(pdu: VendorPdu, session: VendorSession): boolean {
    const list = this.vendor.get(pdu.enterpriseNumber);
    if (list === undefined || list.length === 0) {
      this.counters.vendorUnhandled++;
      return false;
    }
    for (const h of list) {
      this.counters.vendorDelivered++;
      this.guard(h.plugin, () => h.fn(pdu, session));
    }
    return true;
  }

  sessionUp(session: VendorSession): void {
    for (const h of this.up) this.guard(h.plugin, () => h.fn(session));
  }

  sessionDown(session: VendorSession): void {
    for (const h of this.down) this.guard(h.plugin, () => h.fn(session));
  }

  private guard(plugin: string, fn: () => unknown): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => this.failed(plugin, err));
    } catch (err) {
      this.failed(plugin, err);
    }
  }

  private failed(plugin: string, err: unknown): void {
    this.counters.pluginErrors++;
    this.log.log('error', 'plugin', `plugin handler failed: ${err instanceof Error ? err.message : String(err)}`, {
      plugin,
    });
  }
}

/** Imports `file` (a path to an ES module) and registers it. Throws PluginError in one line. */
export async function loadPlugin(registry: PluginRegistry, file: string): Promise<void> {
  let mod: PluginModule;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as PluginModule;
  } catch (err) {
    throw new PluginError(`plugin ${file}: cannot load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  await registry.register(file, mod);
}

// KEEPALIVE (type 2): header only, never acked.
import { PduType, type KeepalivePdu } from '../types.js';
import { emptyPduCodec } from './empty.js';

export const keepalive = emptyPduCodec<KeepalivePdu>(PduType.KEEPALIVE, () => ({ type: 'KEEPALIVE' }));

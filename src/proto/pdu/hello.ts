// HELLO (type 0): header only, multicast beacon (draft-ietf-lsvr-lsoe-01 section 9).
import { PduType, type HelloPdu } from '../types.js';
import { emptyPduCodec } from './empty.js';

export const hello = emptyPduCodec<HelloPdu>(PduType.HELLO, () => ({ type: 'HELLO' }));

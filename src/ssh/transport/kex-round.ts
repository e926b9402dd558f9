/**
 * The state of one key exchange, shared by the transport and its two sides.
 * @module
 */
import type { IDelayedCall } from '../../internet/interfaces.js';
import type { NegotiatedAlgorithms } from './algorithms.js';
import type { DirectionKeys } from './ciphers.js';
import type { KexExchange, KexMethod } from './kex.js';
import type { KexInit } from './messages.js';

/** One key exchange, from our KEXINIT to both NEWKEYS. */
export interface KexRound {
  readonly first: boolean;
  /** Our KEXINIT payload, as the exchange hash takes it. */
  readonly ours: Uint8Array;
  theirs?: Uint8Array;
  peer?: KexInit;
  algorithms?: NegotiatedAlgorithms;
  method?: KexMethod;
  exchange?: KexExchange;
  outKeys?: DirectionKeys;
  inKeys?: DirectionKeys;
  sentNewKeys: boolean;
  receivedNewKeys: boolean;
  /** The peer guessed its first kex packet wrong (RFC 4253 §7): that packet is dropped. */
  ignoreNextKexPacket: boolean;
  readonly timer: IDelayedCall;
}


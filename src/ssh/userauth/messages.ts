/**
 * The messages of `ssh-userauth` (RFC 4252, and RFC 4256's keyboard-interactive): numbers, parsers and
 * serializers. Sans-I/O; every parser checks each length against its limit.
 * @module
 */
import { PayloadReader, PayloadWriter, SSHMalformedMessageError } from '../service-wire.js';
import type { UserAuthLimits } from './limits.js';

export const MSG_USERAUTH_REQUEST = 50;
export const MSG_USERAUTH_FAILURE = 51;
export const MSG_USERAUTH_SUCCESS = 52;
export const MSG_USERAUTH_BANNER = 53;
/** `SSH_MSG_USERAUTH_PK_OK`, `_PASSWD_CHANGEREQ` and `_INFO_REQUEST` share this number: the method in progress tells them apart. */
export const MSG_USERAUTH_PK_OK = 60;
export const MSG_USERAUTH_INFO_REQUEST = 60;
export const MSG_USERAUTH_INFO_RESPONSE = 61;

/** The service user authentication leads to. */
export const CONNECTION_SERVICE = 'ssh-connection';

interface RequestBase {
  username: string;
  service: string;
}

/** One `SSH_MSG_USERAUTH_REQUEST`, by method. */
export type UserAuthRequest =
  | (RequestBase & { method: 'none' })
  | (RequestBase & { method: 'password'; password: string; newPassword?: string })
  | (RequestBase & { method: 'publickey'; algorithm: string; blob: Uint8Array; signature?: Uint8Array })
  | (RequestBase & { method: 'keyboard-interactive'; language: string; submethods: string })
  | (RequestBase & { method: string & {}; data: Uint8Array });

type Limits = Pick<UserAuthLimits, 'maxUsernameBytes' | 'maxPasswordBytes' | 'maxPublicKeyBytes' | 'maxSignatureBytes' | 'maxPrompts' | 'maxTextBytes'>;

/** Parses a USERAUTH_REQUEST payload (its first byte is 50). */
export function parseUserAuthRequest(payload: Uint8Array, limits: Limits): UserAuthRequest {
  const r = new PayloadReader(payload, 1);
  const username = r.utf8(limits.maxUsernameBytes);
  const service = r.name();
  const method = r.name();
  const base = { username, service };
  switch (method) {
    case 'none':
      r.end();
      return { ...base, method };
    case 'password': {
      const change = r.boolean();
      const password = r.utf8(limits.maxPasswordBytes);
      const newPassword = change ? r.utf8(limits.maxPasswordBytes) : undefined;
      r.end();
      return newPassword === undefined ? { ...base, method, password } : { ...base, method, password, newPassword };
    }
    case 'publickey': {
      const signed = r.boolean();
      const algorithm = r.name();
      const blob = r.string(limits.maxPublicKeyBytes);
      const signature = signed ? r.string(limits.maxSignatureBytes) : undefined;
      r.end();
      return signature === undefined ? { ...base, method, algorithm, blob } : { ...base, method, algorithm, blob, signature };
    }
    case 'keyboard-interactive': {
      const language = r.utf8(limits.maxTextBytes);
      const submethods = r.utf8(limits.maxTextBytes);
      r.end();
      return { ...base, method, language, submethods };
    }
    default:
      return { ...base, method, data: r.rest() };
  }
}

/** Serializes a USERAUTH_REQUEST. */
export function userAuthRequest(request: UserAuthRequest): Uint8Array {
  const w = new PayloadWriter(MSG_USERAUTH_REQUEST).string(request.username).string(request.service).string(request.method);
  if ('password' in request) {
    w.boolean(request.newPassword !== undefined).string(request.password);
    if (request.newPassword !== undefined) w.string(request.newPassword);
  } else if ('algorithm' in request) {
    w.boolean(request.signature !== undefined).string(request.algorithm).string(request.blob);
    if (request.signature !== undefined) w.string(request.signature);
  } else if ('submethods' in request) {
    w.string(request.language).string(request.submethods);
  } else if ('data' in request) {
    w.raw(request.data);
  }
  return w.bytes();
}

/**
 * The data a `publickey` signature covers (RFC 4252 §7): the session id, then the request itself with
 * the signature flag set and no signature.
 */
export function publicKeySignedData(sessionId: Uint8Array, username: string, service: string, algorithm: string, blob: Uint8Array): Uint8Array {
  return new PayloadWriter()
    .string(sessionId)
    .byte(MSG_USERAUTH_REQUEST)
    .string(username)
    .string(service)
    .string('publickey')
    .boolean(true)
    .string(algorithm)
    .string(blob)
    .bytes();
}

/** USERAUTH_FAILURE: the methods that can continue. */
export function userAuthFailure(methods: readonly string[], partialSuccess = false): Uint8Array {
  return new PayloadWriter(MSG_USERAUTH_FAILURE).nameList(methods).boolean(partialSuccess).bytes();
}

export function parseUserAuthFailure(payload: Uint8Array): { methods: string[]; partialSuccess: boolean } {
  const r = new PayloadReader(payload, 1);
  const methods = r.nameList();
  const partialSuccess = r.boolean();
  r.end();
  return { methods, partialSuccess };
}

export function userAuthSuccess(): Uint8Array {
  return Uint8Array.of(MSG_USERAUTH_SUCCESS);
}

export function userAuthBanner(message: string, language = ''): Uint8Array {
  return new PayloadWriter(MSG_USERAUTH_BANNER).string(message).string(language).bytes();
}

export function parseUserAuthBanner(payload: Uint8Array, limits: Pick<UserAuthLimits, 'maxTextBytes'>): { message: string; language: string } {
  const r = new PayloadReader(payload, 1);
  const message = r.utf8(limits.maxTextBytes);
  const language = r.utf8(limits.maxTextBytes);
  r.end();
  return { message, language };
}

export function userAuthPKOK(algorithm: string, blob: Uint8Array): Uint8Array {
  return new PayloadWriter(MSG_USERAUTH_PK_OK).string(algorithm).string(blob).bytes();
}

export function parseUserAuthPKOK(payload: Uint8Array, limits: Pick<UserAuthLimits, 'maxPublicKeyBytes'>): { algorithm: string; blob: Uint8Array } {
  const r = new PayloadReader(payload, 1);
  const algorithm = r.name();
  const blob = r.string(limits.maxPublicKeyBytes);
  r.end();
  return { algorithm, blob };
}

/** One keyboard-interactive prompt: its text, and whether the answer may be shown as typed. */
export interface Prompt {
  prompt: string;
  echo: boolean;
}

/** A keyboard-interactive round the server asks the client (RFC 4256 §3.2). */
export interface InfoRequest {
  name: string;
  instruction: string;
  language: string;
  prompts: Prompt[];
}

export function userAuthInfoRequest(request: InfoRequest): Uint8Array {
  const w = new PayloadWriter(MSG_USERAUTH_INFO_REQUEST).string(request.name).string(request.instruction).string(request.language).uint32(request.prompts.length);
  for (const p of request.prompts) w.string(p.prompt).boolean(p.echo);
  return w.bytes();
}

export function parseUserAuthInfoRequest(payload: Uint8Array, limits: Pick<UserAuthLimits, 'maxPrompts' | 'maxTextBytes'>): InfoRequest {
  const r = new PayloadReader(payload, 1);
  const name = r.utf8(limits.maxTextBytes);
  const instruction = r.utf8(limits.maxTextBytes);
  const language = r.utf8(limits.maxTextBytes);
  const count = r.uint32();
  if (count > limits.maxPrompts) throw new SSHMalformedMessageError(`${count} prompts, over ${limits.maxPrompts}`);
  const prompts: Prompt[] = [];
  for (let i = 0; i < count; i++) prompts.push({ prompt: r.utf8(limits.maxTextBytes), echo: r.boolean() });
  r.end();
  return { name, instruction, language, prompts };
}

export function userAuthInfoResponse(responses: readonly string[]): Uint8Array {
  const w = new PayloadWriter(MSG_USERAUTH_INFO_RESPONSE).uint32(responses.length);
  for (const response of responses) w.string(response);
  return w.bytes();
}

export function parseUserAuthInfoResponse(payload: Uint8Array, limits: Pick<UserAuthLimits, 'maxPrompts' | 'maxPasswordBytes'>): string[] {
  const r = new PayloadReader(payload, 1);
  const count = r.uint32();
  if (count > limits.maxPrompts) throw new SSHMalformedMessageError(`${count} responses, over ${limits.maxPrompts}`);
  const responses: string[] = [];
  for (let i = 0; i < count; i++) responses.push(r.utf8(limits.maxPasswordBytes));
  r.end();
  return responses;
}

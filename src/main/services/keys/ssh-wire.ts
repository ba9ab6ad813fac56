// SSH wire encoding (RFC 4251 §5): the building blocks of both the public key
// blob and the "openssh-key-v1" private key container.

export function sshString(value: Buffer | string): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  return Buffer.concat([len, body]);
}

export function sshUint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}

/** Reads the wire format back; used by tests and by fingerprinting a stored public key. */
export class SshReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  uint32(): number {
    if (this.offset + 4 > this.buf.length) throw new Error('ssh wire: truncated uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(): Buffer {
    const len = this.uint32();
    if (this.offset + len > this.buf.length) throw new Error('ssh wire: truncated string');
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  raw(len: number): Buffer {
    if (this.offset + len > this.buf.length) throw new Error('ssh wire: truncated bytes');
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }
}

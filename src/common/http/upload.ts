import { FastifyRequest } from 'fastify';
import { CommonException } from '../errors/app.exception';

export type UploadKind = 'text' | 'image' | 'zip';

/** Checks an upload's real content, not its name or declared type. */
export function sniff(buffer: Buffer): UploadKind | 'other' {
  if (buffer.length >= 4 && buffer.readUInt32BE(0) === 0x504b0304) {
    return 'zip';
  }
  if (
    buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    buffer.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) ||
    buffer.subarray(0, 4).toString('latin1') === 'RIFF'
  ) {
    return 'image';
  }
  // Text: valid UTF-8 with no NUL bytes.
  if (!buffer.includes(0) && Buffer.from(buffer.toString('utf8'), 'utf8').equals(buffer)) {
    return 'text';
  }
  return 'other';
}

/**
 * Reads one uploaded file: the raw request body (text/csv, text/plain, application/octet-stream) or the multipart
 * field `file`. Size is limited; the content must be of one of the expected kinds.
 */
export async function readUpload(
  req: FastifyRequest,
  opts: { maxBytes: number; kinds: UploadKind[] },
): Promise<Buffer> {
  let buffer: Buffer;
  if (req.isMultipart()) {
    const file = await req.file();
    if (!file || file.fieldname !== 'file') {
      throw new CommonException(
        'VALIDATION_FAILED',
        { field: 'file', reasonKey: 'validation.required' },
        'file',
      );
    }
    buffer = await file.toBuffer();
  } else if (typeof req.body === 'string') {
    buffer = Buffer.from(req.body, 'utf8');
  } else if (Buffer.isBuffer(req.body)) {
    buffer = req.body;
  } else {
    throw new CommonException(
      'VALIDATION_FAILED',
      { field: 'file', reasonKey: 'validation.required' },
      'file',
    );
  }
  if (buffer.length === 0) {
    throw new CommonException(
      'VALIDATION_FAILED',
      { field: 'file', reasonKey: 'validation.isNotEmpty' },
      'file',
    );
  }
  if (buffer.length > opts.maxBytes) {
    throw new CommonException('PAYLOAD_TOO_LARGE');
  }
  const kind = sniff(buffer);
  if (kind === 'other' || !opts.kinds.includes(kind)) {
    throw new CommonException('UNSUPPORTED_MEDIA_TYPE');
  }
  return buffer;
}

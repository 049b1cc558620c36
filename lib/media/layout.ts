/**
 * The top-level box layout of an MP4/MOV file, read through a ByteSource without reading
 * the media data: box headers one after another (the first request usually holds them all;
 * a file whose `moov` sits after its `mdat` needs one more small range), plus the `moov` box
 * itself, which is the sample table that says where every frame is.
 *
 * Whether a file carries Content Credentials is known from this alone: BMFF embeds the C2PA
 * manifest store as a top-level `uuid` box (lib/media/bmff.ts, C2PA_UUID).
 */
import { BoxError, C2PA_UUID, checkStructure, readBoxHeader, type Box } from './bmff';
import type { ByteSource } from './source';

/** Header reads beyond the first request; a file needing more is too scattered to read piecemeal. */
const MAX_HEADER_READS = 64;
/** Largest `moov` read: a sample table for hours of video is a few MB. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;
/** Bytes read at a box boundary beyond the first request (a header, often the whole `moov`). */
const BOUNDARY_READ = 64 * 1024;

export interface Layout {
  boxes: Box[];
  /** The `moov` box's bytes (header included), when the file has one. */
  moov?: Uint8Array;
  c2pa?: Box;
  /** Movie fragments follow (`moof`): an fMP4 file. */
  fragmented: boolean;
  /** Where the `mdat` starts relative to `moov`: 'front' when `moov` comes first (fast start). */
  moovFirst: boolean;
}

export async function readLayout(src: ByteSource): Promise<Layout> {
  const boxes: Box[] = [];
  let reads = 0;
  let window = { start: 0, bytes: await src.read(0, Math.min(src.size, BOUNDARY_READ)) };
  const bytesAt = async (start: number, length: number): Promise<Uint8Array> => {
    const end = Math.min(src.size, start + length);
    if (start >= window.start && end <= window.start + window.bytes.length) {
      return window.bytes.subarray(start - window.start, end - window.start);
    }
    if (++reads > MAX_HEADER_READS) throw new BoxError(`the file has more than ${MAX_HEADER_READS} top-level boxes outside its first part`);
    window = { start, bytes: await src.read(start, Math.min(src.size, start + Math.max(length, BOUNDARY_READ))) };
    return window.bytes.subarray(0, end - start);
  };

  let fragmented = false;
  for (let at = 0; at < src.size; ) {
    const head = await bytesAt(at, 32);
    // Only the header is in hand; it is checked against the rest of the file's size, so a box
    // running past the end is caught here without reading what it claims to hold.
    const box = shift(readBoxHeader(head, 0, src.size - at), at);
    boxes.push(box);
    if (box.type === 'moof') {
      // Fragments follow; a C2PA box of an fMP4 sits in its initial part, before the first fragment.
      fragmented = true;
      break;
    }
    at += box.size;
  }
  if (!boxes.length) throw new BoxError('the file is empty');

  const moovBox = boxes.find((b) => b.type === 'moov');
  let moov: Uint8Array | undefined;
  if (moovBox) {
    if (moovBox.size > MAX_MOOV_BYTES) throw new BoxError(`the 'moov' box declares ${moovBox.size} bytes, more than a sample table needs`);
    moov = await bytesAt(moovBox.start, moovBox.size);
    if (moov.length !== moovBox.size) throw new BoxError(`the 'moov' box is cut off`);
    checkStructure(moov); // impossible nested boxes are refused before anything parses them
  }
  const mdat = boxes.find((b) => b.type === 'mdat');
  return {
    boxes,
    moov,
    c2pa: boxes.find((b) => b.type === 'uuid' && b.userType === C2PA_UUID),
    fragmented: fragmented || !!moov && hasMvex(moov),
    moovFirst: !!moovBox && (!mdat || moovBox.start < mdat.start),
  };
}

function shift(b: Box, by: number): Box {
  return { ...b, start: b.start + by };
}

function hasMvex(moov: Uint8Array): boolean {
  // mvex is a direct child of moov.
  for (let at = 8; at + 8 <= moov.length; ) {
    const size = new DataView(moov.buffer, moov.byteOffset + at, 4).getUint32(0);
    const type = String.fromCharCode(moov[at + 4], moov[at + 5], moov[at + 6], moov[at + 7]);
    if (type === 'mvex') return true;
    if (size < 8) return false;
    at += size;
  }
  return false;
}

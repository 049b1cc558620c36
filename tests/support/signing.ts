/**
 * Makes signed test media at test time with c2pa-wasm's Builder and the c2pa-rs TEST key
 * (../shared/fixtures/c2pa/signing). The Builder hands us the claim bytes; we return a
 * complete COSE_Sign1 (tag 18) of exactly the reserved size: protected {alg: ES256, x5chain},
 * unprotected {pad}, detached payload, raw r||s ECDSA P-256 signature over Sig_structure.
 */
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Encoder, Tag } from 'cbor-x';
import { WasmBuilder } from '@contentauth/c2pa-wasm';
import { nodeC2paEngine } from '../../lib/c2pa/node-engine';
import { C2PA_FIXTURES, GENERATED } from '../paths';

const RESERVE = 16_384;
// Plain RFC 8949 CBOR: no tag 259 on maps, no typed-array tags, no record extension.
const cbor = new Encoder({ useTag259ForMaps: false, tagUint8Array: false, useRecords: false } as ConstructorParameters<typeof Encoder>[0]);
const encode = (v: unknown) => cbor.encode(v);

function pemBlocks(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** Signs with the c2pa-rs test key and chain, or with `material` (PKCS#8 key, PEM chain leaf first; EC P-256). */
export function testSigner(material?: { key: string; chain: string }) {
  const key = createPrivateKey(material?.key ?? readFileSync(join(C2PA_FIXTURES, 'signing/c2pa-rs-test__es256.pem')));
  const chain = pemBlocks(material?.chain ?? readFileSync(join(C2PA_FIXTURES, 'signing/c2pa-rs-test__es256.pub'), 'utf8'));
  const protectedBytes = encode(new Map<number, unknown>([[1, -7], [33, chain.length === 1 ? chain[0] : chain]]));
  return {
    alg: 'es256',
    reserveSize: RESERVE,
    sign: async (claim: Uint8Array) => {
      const toBeSigned = encode(['Signature1', protectedBytes, Buffer.alloc(0), Buffer.from(claim)]);
      const signature = nodeSign('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' });
      const cose = (pad: number) => encode(new Tag([protectedBytes, new Map([['pad', Buffer.alloc(pad)]]), null, signature], 18));
      // The pad's own length prefix grows with it, so converge on the exact size.
      let pad = RESERVE - cose(0).length;
      for (let i = 0; i < 4 && cose(pad).length !== RESERVE; i++) pad += RESERVE - cose(pad).length;
      const out = cose(pad);
      if (out.length !== RESERVE) throw new Error(`COSE is ${out.length} bytes, reserved ${RESERVE}`);
      return new Uint8Array(out);
    },
  };
}

export interface SignOptions {
  generator: string;
  title: string;
  digitalSourceType?: string;
  action?: string;
}

/** Signs `input` (MP4 unless `mime` says otherwise) and returns the signed bytes. */
export async function signMp4(input: Uint8Array, o: SignOptions, signer = testSigner(), mime = 'video/mp4'): Promise<Uint8Array> {
  const engine = nodeC2paEngine(); // initialises the WASM module (and the Node blob shim)
  const builder = WasmBuilder.fromJson(JSON.stringify(manifestDefinition(o, mime)));
  try {
    return new Uint8Array(await builder.sign(signer, [], mime, engine.blob(input) as Blob));
  } finally {
    builder.free();
  }
}

/**
 * Signs `input` (MP4 unless `mime` says otherwise) with the manifest store kept apart (not
 * embedded): returns the asset and the store. With `remoteUrl`, the asset carries a reference to
 * it (XMP dcterms:provenance).
 */
export async function signMp4Remote(input: Uint8Array, o: SignOptions, remoteUrl?: string, mime = 'video/mp4'): Promise<{ asset: Uint8Array; manifest: Uint8Array }> {
  const engine = nodeC2paEngine();
  const builder = WasmBuilder.fromJson(JSON.stringify(manifestDefinition(o, mime)));
  try {
    builder.setNoEmbed(true);
    if (remoteUrl) builder.setRemoteUrl(remoteUrl);
    const out = await builder.signAndGetManifestBytes(testSigner(), [], mime, engine.blob(input) as Blob);
    return { asset: new Uint8Array(out.asset), manifest: new Uint8Array(out.manifest) };
  } finally {
    builder.free();
  }
}

function manifestDefinition(o: SignOptions, mime = 'video/mp4') {
  return {
    claim_generator_info: [{ name: o.generator, version: '1.0' }],
    title: o.title,
    format: mime,
    assertions: [
      {
        label: 'c2pa.actions.v2',
        data: {
          actions: [
            {
              action: o.action ?? 'c2pa.created',
              ...(o.digitalSourceType ? { digitalSourceType: o.digitalSourceType } : {}),
              softwareAgent: { name: o.generator },
            },
          ],
        },
      },
    ],
  };
}

export const TRAINED = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

/** The AI-declared fixture: video1_no_manifest.mp4 signed as made by a video model. Cached under .cache/generated. */
export async function aiDeclaredVideo(): Promise<string> {
  const out = join(GENERATED, 'ai-declared.mp4');
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const signed = await signMp4(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4'))), {
    generator: 'OpenAI Sora',
    title: 'sora-sample.mp4',
    digitalSourceType: TRAINED,
  });
  writeFileSync(out, signed);
  return out;
}

/**
 * A video whose credentials do not hold (claimSignature.mismatch): signed, then one letter of the
 * claim generator's name changed. (c2pa-wasm 0.15 reads c2pa-rs's legacy.mp4 as valid, so the
 * invalid-signature video is made here.) Cached under .cache/generated.
 */
export async function badSignatureVideo(): Promise<string> {
  const out = join(GENERATED, 'bad-signature.mp4');
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const signed = Buffer.from(
    await signMp4(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4'))), {
      generator: 'Provenance Lens claim generator',
      title: 'bad-signature.mp4',
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture',
    }),
  );
  const at = signed.lastIndexOf('Provenance Lens claim generator'); // the claim comes after the assertions
  if (at < 0) throw new Error('claim generator not found in the signed video');
  signed[at] = 'X'.charCodeAt(0);
  writeFileSync(out, signed);
  return out;
}

/** A JPEG without its XMP (APP1 "http://ns.adobe.com/xap/1.0/") segments: nothing in it names a manifest. */
export function withoutXmp(jpeg: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
    const len = (jpeg[at + 2] << 8) | jpeg[at + 3];
    const seg = jpeg.subarray(at, at + 2 + len);
    const xmp = jpeg[at + 1] === 0xe1 && Buffer.from(seg.subarray(4, 33)).toString('latin1') === 'http://ns.adobe.com/xap/1.0/\0';
    if (!xmp) keep.push(seg);
    at += 2 + len;
  }
  keep.push(jpeg.subarray(at));
  return new Uint8Array(Buffer.concat(keep));
}

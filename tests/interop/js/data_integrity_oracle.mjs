// The digitalbazaar Data Integrity stack as a test oracle: reads one JSON request on stdin,
// writes one JSON answer on stdout. Contexts come only from the folder given as argv[2]
// (eduwallet's pinned copies) and from the documents in the request: nothing is fetched.
// Every request may name its "cryptosuite": "eddsa-rdfc-2022" (Ed25519, the default) or
// "ecdsa-rdfc-2019" (P-256); sign makes a key for it, the verify ops accept only proofs of it.
//   {"op": "sign", "credential": {...}, "controller": "https://..."}
//     -> {"signed": {...}, "publicKeyMultibase": "z6Mk...|zDn...", "verificationMethod": "..."}
//   {"op": "verify", "credential": {...}, "documents": {url: document}, "ignoreStatus": false}
//     -> {"verified": true|false, "error": "...", "details": "..."}
//     (ignoreStatus: a credentialStatus is taken as valid; the library wants a checker for it)
//   {"op": "verify_presentation", "presentation": {...}, "documents": {url: document},
//    "challenge": "...", "domain": "..."}
//     -> the same answer: vc.verify, the holder's authentication proof and every credential
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';

const folder = process.argv[2];
const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
const contexts = new Map(manifest.map(e => [e.url, JSON.parse(readFileSync(join(folder, e.file), 'utf8'))]));

function loaderWith(documents) {
  return async url => {
    const document = contexts.get(url) ?? documents[url];
    if(document === undefined) {
      throw new Error(`no document for ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

// cryptosuite name -> the suite and how to make a key pair for it
const SUITES = {
  'eddsa-rdfc-2022': {cryptosuite: eddsaRdfc2022, generate: controller => Ed25519Multikey.generate({controller})},
  'ecdsa-rdfc-2019': {cryptosuite: ecdsaRdfc2019, generate: controller => EcdsaMultikey.generate({controller, curve: 'P-256'})}
};

const request = JSON.parse(readFileSync(0, 'utf8'));
const named = request.cryptosuite ?? 'eddsa-rdfc-2022';
if(!Object.hasOwn(SUITES, named)) {
  throw new Error(`unknown cryptosuite ${named}`);
}
const {cryptosuite, generate} = SUITES[named];
let answer;
if(request.op === 'sign') {
  const key = await generate(request.controller);
  key.id = `${request.controller}#key-1`;
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite});
  const exported = await key.export({publicKey: true, includeContext: true});
  const documents = {[key.id]: exported};
  const signed = await vc.issue({credential: request.credential, suite, documentLoader: loaderWith(documents)});
  answer = {signed, publicKeyMultibase: exported.publicKeyMultibase, verificationMethod: key.id};
} else if(request.op === 'verify_presentation') {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verify({
    presentation: request.presentation, suite, challenge: request.challenge, domain: request.domain,
    documentLoader: loaderWith(request.documents ?? {})
  });
  const failed = [
    result.error, result.presentationResult?.error,
    ...(result.credentialResults ?? []).map(r => r.error)
  ].find(e => e);
  const first = failed?.errors?.[0] ?? failed;
  answer = {verified: result.verified, error: result.verified ? null : String(first?.message ?? first), details: result.verified ? undefined : JSON.stringify(first?.details ?? first?.cause?.details ?? null)};
} else {
  const suite = new DataIntegrityProof({cryptosuite});
  const checkStatus = request.ignoreStatus ? async () => ({verified: true}) : undefined;
  const result = await vc.verifyCredential({
    credential: request.credential, suite, documentLoader: loaderWith(request.documents ?? {}),
    checkStatus
  });
  const first = result.error?.errors?.[0] ?? result.error;
  answer = {verified: result.verified, error: result.verified ? null : String(first?.message ?? first), details: result.verified ? undefined : JSON.stringify(first?.details ?? first?.cause?.details ?? null)};
}
process.stdout.write(JSON.stringify(answer));

// An independent OpenID4VCI 1.0 issuer (+ authorization server) and OpenID4VP 1.0 verifier,
// built from Animo's oid4vc-ts (@openid4vc/*, OpenWallet Foundation) for the protocol, the
// OWF @sd-jwt libraries for SD-JWT VC and dcql-ts for the query. The Python tests drive our
// wallet against it (tests/interop/test_openid4vc_ts.py). Test-only: never shipped.
//
// stdin: one JSON object with the keys (private JWKs) and certificate chains the tests made:
//   {issuer: {jwk, x5c}, rogue: {jwk, x5c}, verifier: {jwk, x5c}, stranger: {jwk, x5c}}
// stdout: first line {"base": "http://127.0.0.1:PORT"} once listening.
//
// Our own glue is kept to HTTP plumbing and bookkeeping (which nonce/code was issued, what
// the verifier saw); every protocol check is the libraries'. The few checks the libraries
// leave to their caller (the KB-JWT's aud and iat: OpenID4VP 1.0 Appendix B.3, RFC 9901
// §7.3) are done here and say so.
import crypto from 'node:crypto'
import http from 'node:http'
import {
  Oauth2AuthorizationServer,
  Oauth2ResourceServer,
  SupportedAuthenticationScheme,
  calculateJwkThumbprint,
  clientAuthenticationNone,
  decodeJwt,
  preAuthorizedCodeGrantIdentifier,
} from '@openid4vc/oauth2'
import { Openid4vciIssuer, Openid4vciVersion } from '@openid4vc/openid4vci'
import { Openid4vpVerifier, calculateX509HashClientIdPrefixValue } from '@openid4vc/openid4vp'
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { setGlobalConfig } from '@openid4vc/utils'
import { DcqlPresentationResult, DcqlQuery } from 'dcql'
import * as jose from 'jose'

// The libraries refuse http:// URLs unless told; the server only listens on loopback.
setGlobalConfig({ allowInsecureUrls: true })

let input = ''
for await (const chunk of process.stdin) input += chunk
const config = JSON.parse(input)

const VCT = 'urn:eduwallet:interop:oid4vc-ts:diploma'
const CONFIGURATION_ID = 'diploma_sd_jwt'
const CLAIMS = { given_name: 'Zoë', family_name: 'Jansen', degree: 'BSc Informatica', grade: '8,5' }

// -- callbacks: the libraries ask us for hashing, randomness and JOSE ------------------------

const publicOf = ({ d, ...rest }) => rest
const thumb = (jwk) => calculateJwkThumbprint({ jwk: publicOf(jwk), hashAlgorithm: 'sha-256', hashCallback: hash })
function hash(data, alg) {
  return crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()
}
const accessTokenKey = await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey)
const encryptionKey = {
  ...(await jose.exportJWK((await jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true })).privateKey)),
  kid: 'response-encryption',
}
const privateKeys = [accessTokenKey, ...Object.values(config).map((entry) => entry.jwk)]

async function privateKeyFor(signer) {
  if (signer.method === 'x5c') {
    const entry = Object.values(config).find((e) => e.x5c[0] === signer.x5c[0])
    if (entry) return entry.jwk
  } else if (signer.method === 'jwk') {
    const wanted = await thumb(signer.publicJwk)
    for (const jwk of privateKeys) if ((await thumb(jwk)) === wanted) return jwk
  }
  throw new Error(`no private key for this ${signer.method} signer`)
}

function publicKeyFor(signer) {
  if (signer.method === 'jwk') return signer.publicJwk
  if (signer.method === 'x5c') return new crypto.X509Certificate(Buffer.from(signer.x5c[0], 'base64')).publicKey.export({ format: 'jwk' })
  throw new Error(`signer method ${signer.method} is not used here`)
}

const callbacks = {
  hash,
  generateRandom: (bytes) => crypto.randomBytes(bytes),
  fetch,
  clientAuthentication: clientAuthenticationNone({ clientId: 'oid4vc-ts-interop' }),
  async signJwt(signer, { header, payload }) {
    const jwk = await privateKeyFor(signer)
    const key = await jose.importJWK(jwk, signer.alg)
    const jwt = await new jose.SignJWT(payload).setProtectedHeader(header).sign(key)
    return { jwt, signerJwk: publicOf(jwk) }
  },
  // Signature only: the libraries check the claims (aud, nonce, iat, exp) themselves.
  async verifyJwt(signer, { compact }) {
    try {
      const jwk = publicKeyFor(signer)
      await jose.compactVerify(compact, await jose.importJWK(jwk, signer.alg), { algorithms: [signer.alg] })
      return { verified: true, signerJwk: jwk }
    } catch {
      return { verified: false }
    }
  },
  // direct_post.jwt (OpenID4VP 1.0 §8.3): the library picks our key from client_metadata.jwks
  async decryptJwe(jwe, { jwk } = {}) {
    if (jwk?.kid !== encryptionKey.kid) return { decrypted: false }
    const { plaintext } = await jose.compactDecrypt(jwe, await jose.importJWK(encryptionKey, 'ECDH-ES'))
    return { decrypted: true, decryptionJwk: publicOf(encryptionKey), payload: new TextDecoder().decode(plaintext) }
  },
  encryptJwe: () => { throw new Error('encrypted requests are not used by these tests') },
}

const authorizationServer = new Oauth2AuthorizationServer({ callbacks })
const resourceServer = new Oauth2ResourceServer({ callbacks })
const issuer = new Openid4vciIssuer({ callbacks })
const verifier = new Openid4vpVerifier({ callbacks })

// -- state ----------------------------------------------------------------------------------

const offers = new Map() // pre-authorized code -> { mode, txCode, redeemed }
const offerObjects = new Map() // offer id -> credential offer object, for credential_offer_uri
const nonces = new Map() // c_nonce -> expiry (ms); spent on use
const sessions = new Map() // verifier session id -> { payload, jar, result }
let base, issuerMetadata, asMetadata

function metadata(address) {
  base = address
  asMetadata = authorizationServer.createAuthorizationServerMetadata({
    issuer: base,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    dpop_signing_alg_values_supported: ['ES256'], // DPoP is the HAIP rule; the wallet must follow
    'pre-authorized_grant_anonymous_access_supported': true,
  })
  const credentialIssuer = issuer.createCredentialIssuerMetadata({
    credential_issuer: base,
    credential_endpoint: `${base}/credential`,
    nonce_endpoint: `${base}/nonce`,
    authorization_servers: [base],
    batch_credential_issuance: { batch_size: 2 },
    display: [{ name: 'oid4vc-ts Hogeschool', locale: 'en' }],
    credential_configurations_supported: {
      [CONFIGURATION_ID]: {
        format: 'dc+sd-jwt',
        vct: VCT,
        scope: 'diploma',
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: { display: [{ name: 'Diploma (oid4vc-ts)', locale: 'en' }] },
      },
    },
  })
  issuerMetadata = {
    originalDraftVersion: Openid4vciVersion.V1,
    credentialIssuer,
    authorizationServers: [asMetadata],
    knownCredentialConfigurations: issuer.getKnownCredentialConfigurationsSupported(credentialIssuer),
  }
}

// -- issuer ---------------------------------------------------------------------------------

async function createOffer({ mode = 'honest', tx_code = false, by_reference = false }) {
  const code = crypto.randomBytes(24).toString('base64url')
  const txCode = tx_code ? String(crypto.randomInt(0, 1_000_000)).padStart(6, '0') : undefined
  const id = crypto.randomBytes(12).toString('base64url')
  const { credentialOffer, credentialOfferObject } = await issuer.createCredentialOffer({
    issuerMetadata,
    credentialConfigurationIds: [CONFIGURATION_ID],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': code,
        ...(txCode && { tx_code: { input_mode: 'numeric', length: 6, description: 'sent by e-mail' } }),
      },
    },
    ...(by_reference && { credentialOfferUri: `${base}/offers/${id}` }),
  })
  offers.set(code, { mode, txCode, redeemed: false })
  offerObjects.set(id, credentialOfferObject)
  return { offer: credentialOffer, tx_code: txCode }
}

async function token(request, form) {
  const parsed = authorizationServer.parseAccessTokenRequest({ accessTokenRequest: form, request })
  if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) throw oauthError('unsupported_grant_type')
  const offer = offers.get(parsed.grant.preAuthorizedCode)
  if (!offer || offer.redeemed) throw oauthError('invalid_grant', 'unknown or used pre-authorized code')
  const { dpop } = await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
    authorizationServerMetadata: asMetadata,
    grant: parsed.grant,
    accessTokenRequest: parsed.accessTokenRequest,
    request,
    expectedPreAuthorizedCode: parsed.grant.preAuthorizedCode,
    expectedTxCode: offer.txCode,
    dpop: { required: true, allowedSigningAlgs: ['ES256'], ...parsed.dpop },
  })
  offer.redeemed = true
  return authorizationServer.createAccessTokenResponse({
    authorizationServer: base,
    audience: base,
    subject: parsed.grant.preAuthorizedCode,
    expiresInSeconds: 300,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: publicOf(accessTokenKey) },
    dpop,
  })
}

function nonce() {
  const value = crypto.randomBytes(16).toString('base64url')
  nonces.set(value, Date.now() + 60_000)
  return issuer.createNonceResponse({ cNonce: value, cNonceExpiresIn: 60 })
}

async function credential(request, body) {
  const { tokenPayload } = await resourceServer.verifyResourceRequest({
    request,
    resourceServer: base,
    authorizationServers: [asMetadata],
    allowedAuthenticationSchemes: [SupportedAuthenticationScheme.DPoP],
  })
  const { mode } = offers.get(tokenPayload.sub)
  const parsed = issuer.parseCredentialRequest({ issuerMetadata, credentialRequest: body })
  if (parsed.credentialConfigurationId !== CONFIGURATION_ID || !parsed.proofs?.jwt) {
    throw oauthError('invalid_credential_request', 'expected jwt proofs for the offered configuration')
  }
  const holderKeys = []
  for (const jwt of parsed.proofs.jwt) {
    // the library checks one expected nonce; which one we issued is our bookkeeping (§7.2)
    const claimed = decodeJwt({ jwt }).payload.nonce
    const expiresAt = nonces.get(claimed)
    if (expiresAt === undefined) throw oauthError('invalid_nonce', 'not a c_nonce of this issuer')
    const { signer } = await issuer.verifyCredentialRequestJwtProof({
      issuerMetadata,
      jwt,
      expectedNonce: claimed,
      nonceExpiresAt: new Date(expiresAt),
    })
    holderKeys.push(signer.publicJwk)
  }
  for (const jwt of parsed.proofs.jwt) nonces.delete(decodeJwt({ jwt }).payload.nonce) // single use
  // batch issuance (§8.3): one credential per proven key
  const credentials = await Promise.all(holderKeys.map(async (jwk) => ({ credential: await issueSdJwtVc(mode, jwk) })))
  return issuer.createCredentialResponse({ credentialRequest: parsed, credentials })
}

// The modes let a test make this issuer misbehave in one precise way.
async function issueSdJwtVc(mode, holderJwk) {
  const signing = mode === 'untrusted-signer' ? config.rogue : config.issuer
  const bound = mode === 'foreign-holder-key'
    ? publicOf(await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).publicKey))
    : holderJwk
  const signer = await ES256.getSigner(signing.jwk)
  const sdjwt = new SDJwtVcInstance({ signer, signAlg: 'ES256', hasher: digest, saltGenerator: generateSalt })
  const now = Math.floor(Date.now() / 1000)
  return sdjwt.issue(
    { iss: base, vct: VCT, iat: now, exp: now + 365 * 86400, cnf: { jwk: bound }, ...CLAIMS },
    { _sd: Object.keys(CLAIMS) },
    { header: { x5c: signing.x5c } },
  )
}

// -- verifier -------------------------------------------------------------------------------

// Only two of the four claims: the wallet must leave family_name and grade out.
const DCQL = {
  credentials: [
    { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['given_name'] }, { path: ['degree'] }] },
  ],
}

async function createRequest({ signer = 'verifier', response_mode = 'direct_post' }) {
  const id = crypto.randomBytes(12).toString('base64url')
  const chain = config[signer].x5c
  // x509_hash is always computed from the trusted verifier certificate: with 'stranger' the
  // request is signed by a certificate the client_id does not name and the wallet does not pin
  const hashValue = await calculateX509HashClientIdPrefixValue({ x509Certificate: config.verifier.x5c[0], hash })
  const { authorizationRequest, authorizationRequestPayload, jar } = await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: {
      response_type: 'vp_token',
      client_id: `x509_hash:${hashValue}`,
      response_mode,
      response_uri: `${base}/responses/${id}`,
      nonce: crypto.randomBytes(16).toString('base64url'),
      state: crypto.randomBytes(8).toString('base64url'),
      dcql_query: DCQL,
      client_metadata: {
        client_name: 'oid4vc-ts Werkgever',
        vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
        ...(response_mode === 'direct_post.jwt' && {
          jwks: { keys: [{ ...publicOf(encryptionKey), use: 'enc', alg: 'ECDH-ES' }] },
          encrypted_response_enc_values_supported: ['A256GCM'], // not the A128GCM default
        }),
      },
    },
    jar: {
      requestUri: `${base}/requests/${id}`,
      jwtSigner: { method: 'x5c', alg: 'ES256', x5c: chain },
      expiresInSeconds: 300,
      additionalJwtPayload: { aud: 'https://self-issued.me/v2' }, // OpenID4VP 1.0 §5.8
    },
  })
  sessions.set(id, { payload: authorizationRequestPayload, jar: jar.authorizationRequestJwt, result: null })
  return { id, request: authorizationRequest }
}

// What this verifier concludes from a response; kept for GET /results/<id>.
async function verifyResponse(session, form) {
  const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
    authorizationResponse: form,
    authorizationRequestPayload: session.payload,
    callbacks,
  })
  if (parsed.type !== 'dcql') throw new Error(`expected a DCQL response, got ${parsed.type}`)
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    // this verifier trusts one issuer: the key of its certificate
    verifier: await ES256.getVerifier(publicKeyFor({ method: 'x5c', x5c: config.issuer.x5c })),
    kbVerifier: async (data, signature, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, signature),
  })
  const presented = {}
  const disclosed = {}
  for (const [queryId, presentations] of Object.entries(parsed.dcql.presentations)) {
    presented[queryId] = []
    for (const presentation of [presentations].flat()) {
      const { payload, kb } = await sdjwt.verify(presentation, {
        keyBindingNonce: parsed.expectedNonce,
        requiredClaimKeys: ['cnf'],
      })
      // OpenID4VP 1.0 Appendix B.3: aud is the Client Identifier; the library leaves it to us
      if (kb.payload.aud !== session.payload.client_id) throw new Error(`KB-JWT aud is ${kb.payload.aud}`)
      if (Math.abs(kb.payload.iat - Date.now() / 1000) > 300) throw new Error('KB-JWT iat is not recent')
      const { iss, iat, exp, nbf, vct, cnf, status, _sd_alg, ...claims } = payload
      disclosed[queryId] = claims
      presented[queryId].push({ credential_format: 'dc+sd-jwt', vct, claims, cryptographic_holder_binding: true })
    }
  }
  const query = DcqlQuery.parse(session.payload.dcql_query)
  DcqlQuery.validate(query)
  const outcome = DcqlPresentationResult.fromDcqlPresentation(presented, { dcqlQuery: query })
  if (!outcome.can_be_satisfied) throw new Error('the presentations do not satisfy the DCQL query')
  return {
    verified: true,
    claims: disclosed,
    response: parsed.authorizationResponsePayload, // decrypted, for direct_post.jwt
    encryption: parsed.jarm ? { mode: parsed.jarm.type, enc: jose.decodeProtectedHeader(form.response).enc } : null,
  }
}

async function respond(id, form) {
  const session = sessions.get(id)
  if (!session) return [404, { error: 'unknown session' }]
  const attempt = { form }
  try {
    Object.assign(attempt, await verifyResponse(session, form))
  } catch (error) {
    Object.assign(attempt, { verified: false, error: String(error?.message ?? error) })
  }
  session.result = attempt
  return attempt.verified ? [200, {}] : [400, { error: 'invalid_request', error_description: attempt.error }]
}

// -- HTTP -----------------------------------------------------------------------------------

function oauthError(error, description) {
  return Object.assign(new Error(description ?? error), { errorResponse: { error, error_description: description } })
}

function requestLike(req) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) headers.set(name, [value].flat().join(', '))
  return { method: req.method, url: `${base}${req.url}`, headers }
}

async function readBody(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const text = Buffer.concat(chunks).toString('utf8')
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  return text ? JSON.parse(text) : {}
}

async function route(req) {
  const path = new URL(req.url, base).pathname
  const get = req.method === 'GET'
  if (get && path === '/.well-known/openid-credential-issuer') return [200, issuerMetadata.credentialIssuer]
  if (get && path === '/.well-known/oauth-authorization-server') return [200, asMetadata]
  if (get && path === '/jwks') return [200, { keys: [publicOf(accessTokenKey)] }]
  if (get && path.startsWith('/offers/')) {
    const offer = offerObjects.get(path.slice('/offers/'.length))
    return offer ? [200, offer] : [404, {}]
  }
  if (get && path.startsWith('/requests/')) {
    const session = sessions.get(path.slice('/requests/'.length))
    return session ? [200, session.jar, 'application/oauth-authz-req+jwt'] : [404, {}]
  }
  if (get && path.startsWith('/results/')) {
    const session = sessions.get(path.slice('/results/'.length))
    return session ? [200, session.result ?? { verified: false, error: 'no response yet' }] : [404, {}]
  }
  if (req.method !== 'POST') return [404, {}]
  const body = await readBody(req)
  if (path === '/offers') return [200, await createOffer(body)]
  if (path === '/verifier-requests') return [200, await createRequest(body)]
  if (path === '/token') return [200, await token(requestLike(req), body)]
  if (path === '/nonce') return [200, nonce()]
  if (path === '/credential') return [200, await credential(requestLike(req), body)]
  if (path.startsWith('/responses/')) return respond(path.slice('/responses/'.length), body)
  return [404, {}]
}

const server = http.createServer(async (req, res) => {
  let status, body, type
  try {
    ;[status, body, type] = await route(req)
  } catch (error) {
    // oid4vc-ts errors carry the OAuth error response to send; anything else is a 400 too
    const headers = error.wwwAuthenticateHeaders ? { 'www-authenticate': error.toHeaderValue() } : {}
    const answer = error.errorResponse ?? { error: 'invalid_request', error_description: String(error?.message ?? error) }
    process.stderr.write(`${req.method} ${req.url}: ${error?.stack ?? error}\n`)
    res.writeHead(error.wwwAuthenticateHeaders ? 401 : (error.status ?? 400), { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(answer))
    return
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  // a request log, shown by the tests when something fails
  process.stderr.write(`${req.method} ${req.url} ${status} ${req.headers.authorization?.split(' ')[0] ?? ''}\n`)
  res.writeHead(status, { 'content-type': type ?? 'application/json', 'cache-control': 'no-store' })
  res.end(text)
})

server.listen(0, '127.0.0.1', () => {
  metadata(`http://127.0.0.1:${server.address().port}`)
  process.stdout.write(`${JSON.stringify({ base })}\n`)
})

/**
 * Where a workstation may send passwords and session tokens: HTTPS anywhere, plain HTTP only to this machine
 * (loopback: the embedded backend, a local reverse proxy, tests). A plain-HTTP remote server would let anyone
 * on the network path, or whoever talked the person into typing its address, read them.
 */
const LOOPBACK_HOST = /^(localhost|127(\.[0-9]{1,3}){3}|\[::1\])$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname);
}

/** True for `https:` URLs, and `http:` ones whose host is loopback. */
export function isAllowedBackendUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && isLoopbackHost(u.hostname);
}

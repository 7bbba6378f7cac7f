/** Typed results for every API call: the UI shows loading / empty / error / not-available states. */
export type ApiResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'unavailable' }
  | { kind: 'unauthorised' }
  | { kind: 'error'; status: number; message: string };

export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<ApiResult<T>> {
  const answer = await request(path, init);
  if (answer.kind !== 'ok') return answer;
  const text = await answer.value.text();
  return { kind: 'ok', value: (text ? JSON.parse(text) : undefined) as T };
}

/** A file to save (an export): the body as a Blob, with the same error states as requestJson. */
export async function requestBlob(path: string): Promise<ApiResult<Blob>> {
  const answer = await request(path);
  return answer.kind === 'ok' ? { kind: 'ok', value: await answer.value.blob() } : answer;
}

async function request(path: string, init: RequestInit = {}): Promise<ApiResult<Response>> {
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: {
        accept: 'application/json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
  } catch (error) {
    return { kind: 'error', status: 0, message: (error as Error).message };
  }
  if (response.status === 404 || response.status === 501) return { kind: 'unavailable' };
  if (response.status === 401 || response.status === 403) return { kind: 'unauthorised' };
  if (!response.ok) return { kind: 'error', status: response.status, message: await messageOf(response) };
  return { kind: 'ok', value: response };
}

/** The text of an OperationOutcome answer (what the node says went wrong), else the status text. */
async function messageOf(response: Response): Promise<string> {
  try {
    const outcome = (await response.json()) as { issue?: { diagnostics?: string }[] };
    return outcome.issue?.[0]?.diagnostics ?? response.statusText;
  } catch {
    return response.statusText;
  }
}

// The carer's own signing key on her phone (professional-key.ts), bound by the care organisation
// (POST /carelog/carers/:carer/keys); each visit is signed with it.
import { carelogApi } from '../api/carelog.ts';
import type { ApiResult } from '../api/http.ts';
import { professionalKey, type ProfessionalKey } from '../professional-key.ts';

export type CarerKey = ProfessionalKey;

export const carerKey = (carer: string): Promise<ApiResult<CarerKey>> =>
  professionalKey(carer, (publicKey) => carelogApi.bindCarerKey(carer, publicKey));

import type { EngineList, JobList, JobRef, JobRequest, JobView } from '@engineconn/protocol';
import type { ApiClient } from '../../../console/web/shared/api-client.js';

/** The manager routes its console calls (docs/manager.md), each typed with its answer. */
export interface ManagerApi {
  engines(): Promise<EngineList>;
  jobs(): Promise<JobList>;
  submit(request: JobRequest): Promise<JobRef>;
  job(id: string): Promise<JobView>;
}

export function createManagerApi(api: ApiClient): ManagerApi {
  return {
    engines: () => api.get('/api/v1/engines'),
    jobs: () => api.get('/api/v1/jobs'),
    submit: (request) => api.post('/api/v1/jobs', request),
    job: (id) => api.get(`/api/v1/jobs/${encodeURIComponent(id)}`),
  };
}

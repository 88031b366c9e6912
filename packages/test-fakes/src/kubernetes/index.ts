/**
 * A fake AKS API server on 127.0.0.1 (pods, Deployments, ReplicaSets, ArgoCD Applications,
 * Crossplane resources, secret metadata, pod watches), the payload builders it serves, and the
 * payments-api scenario the health backend, the Kubernetes tab module and the e2e tests share.
 *
 * @packageDocumentation
 */
export * from './fakeKubernetes';
export * from './payloads';
export * from './scenario';

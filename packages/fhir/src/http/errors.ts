// The FHIR API answers errors with the one handler of the error model (@ketenlog/problem).
export { installErrorHandlers } from '@ketenlog/problem';

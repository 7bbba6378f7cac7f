export interface Component {
  close(): Promise<void>;
}

export type { ServiceContext as SendContext } from "../context";

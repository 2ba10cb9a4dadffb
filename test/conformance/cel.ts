export * from '../../src/schema/cel';

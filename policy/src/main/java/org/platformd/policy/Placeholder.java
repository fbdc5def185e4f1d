package org.platformd.policy; final class Placeholder {}
